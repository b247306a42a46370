package io.facex.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Damaged legacy files fail with a WeightsException that names the file and what is missing. */
class LegacyCorruptTest {

    // Layout of fixtures/legacy_tiny_module.pkl (7317 bytes), from pickletools: the header pickles end at
    // 137, the object pickle at 5585, the storage key list at 5881; 18 storages follow.
    private static final int OBJECT_START = 137;
    private static final int OBJECT_END = 5585;
    private static final int KEYS_END = 5881;

    @TempDir
    Path tmp;

    private WeightsException failsWith(Path file, String... mustContain) {
        WeightsException e = assertThrows(WeightsException.class, () -> Weights.load(file));
        assertFalse(e instanceof UnsafeWeightsException, e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot read " + file.getFileName()), e.getMessage());
        for (String s : mustContain) {
            assertTrue(e.getMessage().contains(s), "message should contain '" + s + "': " + e.getMessage());
        }
        return e;
    }

    private Path cut(byte[] all, int length) throws Exception {
        Path file = tmp.resolve("cut_" + length + ".pkl");
        Files.write(file, Arrays.copyOf(all, length));
        return file;
    }

    @Test
    void truncatedWholeModuleSaysWhatIsMissing() throws Exception {
        byte[] all = Files.readAllBytes(Resources.path(LegacyTorchTest.TINY_MODULE));
        assertEquals(7317, all.length);
        failsWith(cut(all, 5), "(legacy torch.save magic number)", "ends early (file truncated?)");
        failsWith(cut(all, OBJECT_START - 10), "(legacy torch.save sys info)", "ends early (file truncated?)");
        failsWith(cut(all, OBJECT_START + 20), "(object pickle)", "ends early (file truncated?)");
        failsWith(cut(all, 2000), "(object pickle)", "ends early (file truncated?) at byte 1999");
        // Cut in the key list: a storage the object pickle declares no longer fits in what is left.
        failsWith(cut(all, OBJECT_END + 10), "elements, more than the", "bytes left in the file (truncated or corrupt?)");
        failsWith(cut(all, KEYS_END + 4), "the data of storage", "is missing at byte 5881 (file truncated?)");
        failsWith(cut(all, KEYS_END + 8 + 3), "the data of storage", "bytes but only 3 are left (file truncated?)");
        failsWith(cut(all, all.length - 1), "the data of storage", "needs 48 bytes but only 47 are left (file truncated?)");
    }

    @Test
    void storageCountMustMatchThePickle() throws Exception {
        byte[] all = Files.readAllBytes(Resources.path(LegacyTorchTest.TINY_MODULE));
        ByteBuffer.wrap(all, KEYS_END, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(KEYS_END, 5);
        Path file = tmp.resolve("count.pkl");
        Files.write(file, all);
        failsWith(file, "at byte 5881 says 5 elements but its pickle says");
    }

    @Test
    void storagesAndKeyListMustAgree() throws Exception {
        byte[] floats = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array();
        byte[] pkl = LegacyFiles.oneTensorPickle(2, 2);

        Path ok = tmp.resolve("ok.pkl");
        Files.write(ok, LegacyFiles.legacy(true, pkl, List.of("0"), LegacyFiles.storage(2, floats)));
        assertArrayEquals(new float[] {1.5f, -2f}, Weights.load(ok).require("w").toFloatArray());

        byte[] okBytes = Files.readAllBytes(ok);
        Path shortKeys = tmp.resolve("short_keys.pkl");
        Files.write(shortKeys, Arrays.copyOf(okBytes, okBytes.length - 16 - 3));
        failsWith(shortKeys, "(storage key list)", "ends early (file truncated?)");

        Path none = tmp.resolve("unlisted.pkl");
        Files.write(none, LegacyFiles.legacy(true, pkl, List.of()));
        failsWith(none, "uses storage 0 but the storage key list does not name it");

        Path extra = tmp.resolve("extra.pkl");
        Files.write(extra, LegacyFiles.legacy(true, pkl, List.of("0", "7"), LegacyFiles.storage(2, floats)));
        failsWith(extra, "the storage key list names 7, which the object pickle never uses");

        // A storage larger than what is left of the file is refused before anything is allocated.
        Path huge = tmp.resolve("huge.pkl");
        Files.write(huge, LegacyFiles.legacy(true, LegacyFiles.oneTensorPickle(2, 200), List.of("0"),
                LegacyFiles.storage(2, floats)));
        failsWith(huge, "storage 0 claims 200 float32 elements, more than the", "bytes left in the file");

        Path view = tmp.resolve("view.pkl");
        Files.write(view, LegacyFiles.legacy(true, LegacyFiles.oneTensorPickle(3, 2), List.of("0"),
                LegacyFiles.storage(2, floats)));
        failsWith(view, "storage 0", "reaches element 2");
    }

    @Test
    void bigEndianStoragesAreSwapped() throws Exception {
        byte[] floats = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f).array();
        Path file = tmp.resolve("big.pkl");
        Files.write(file, LegacyFiles.legacy(false, LegacyFiles.oneTensorPickle(2, 2), List.of("0"),
                LegacyFiles.storage(2, floats)));
        assertArrayEquals(new float[] {1.5f, -2f}, Weights.load(file).require("w").toFloatArray());
    }

    @Test
    void otherBarePicklesAreExplained() throws Exception {
        Path file = tmp.resolve("plain.pkl");
        Files.write(file, new byte[] {(byte) 0x80, 2, '}', '.'});
        assertEquals(WeightsFormat.TORCH_LEGACY, WeightsFormat.detect(file));
        failsWith(file, "a bare pickle but not PyTorch's legacy torch.save format");
    }

    @Test
    void randomlyDamagedLegacyFilesOnlyEverFailCleanly() throws Exception {
        byte[] original = Files.readAllBytes(Resources.path(LegacyTorchTest.TINY_MODULE));
        Random random = new Random(13);
        Path file = tmp.resolve("fuzz.pkl");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 0; round < 400; round++) {
                byte[] b = original.clone();
                if (round % 4 == 0) {
                    b = Arrays.copyOf(b, random.nextInt(b.length));
                } else {
                    // Damage the pickles, where the structure is (the storages are only numbers).
                    for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                        b[random.nextInt(KEYS_END)] = (byte) random.nextInt(256);
                    }
                }
                Files.write(file, b);
                try {
                    Weights.load(file);
                } catch (WeightsException e) {
                    if (!e.getMessage().contains("fuzz.pkl")) {
                        fail("message without the file name: " + e.getMessage());
                    }
                } catch (RuntimeException e) {
                    throw new AssertionError("round " + round + " escaped as " + e, e);
                }
            }
        });
    }
}
