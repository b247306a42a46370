package io.facex.weights;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds legacy torch.save files around hand-made object pickles, byte by byte as the format says. */
final class LegacyFiles {

    private LegacyFiles() {
    }

    /**
     * @param storages each storage's record as it follows the key list: an int64 element count and the bytes
     */
    static byte[] legacy(boolean littleEndian, byte[] objectPickle, List<String> keys, byte[]... storages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
            0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'});
        out.writeBytes(new byte[] {(byte) 0x80, 2, 'M', (byte) 0xe9, 3, '.'}); // 1001
        out.writeBytes(new byte[] {(byte) 0x80, 2, '}'});
        HostilePickleTest.shortUnicode(out, "little_endian");
        out.writeBytes(new byte[] {(byte) (littleEndian ? 0x88 : 0x89), 's', '.'});
        out.writeBytes(objectPickle);
        out.writeBytes(new byte[] {(byte) 0x80, 2, ']', '('});
        keys.forEach(k -> HostilePickleTest.shortUnicode(out, k));
        out.writeBytes(new byte[] {'e', '.'});
        for (byte[] s : storages) {
            out.writeBytes(s);
        }
        return out.toByteArray();
    }

    /** A storage record: {@code count} then {@code data}. */
    static byte[] storage(long count, byte[] data) {
        return ByteBuffer.allocate(8 + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(count).put(data).array();
    }

    /** {@code {'w': tensor of shape (n,) on FloatStorage key '0' of storageNumel elements}}. */
    static byte[] oneTensorPickle(int n, int storageNumel) throws Exception {
        return HostilePickleTest.pickle(out -> {
            out.write(new byte[] {(byte) 0x80, 2, '}'});
            HostilePickleTest.shortUnicode(out, "w");
            out.write("ctorch._utils\n_rebuild_tensor_v2\n(".getBytes(StandardCharsets.US_ASCII));
            out.write('(');
            HostilePickleTest.shortUnicode(out, "storage");
            out.write("ctorch\nFloatStorage\n".getBytes(StandardCharsets.US_ASCII));
            HostilePickleTest.shortUnicode(out, "0");
            HostilePickleTest.shortUnicode(out, "cpu");
            out.write(new byte[] {'K', (byte) storageNumel, 'N', 't', 'Q', 'K', 0, 'K', (byte) n, (byte) 0x85, 'K', 1,
                (byte) 0x85, (byte) 0x89, '}', 't', 'R', 's', '.'});
        });
    }
}
