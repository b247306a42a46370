package io.facex.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Damaged files must fail with a WeightsException naming the file, never with an index error or a hang. */
class CorruptFilesTest {

    @TempDir
    Path tmp;

    private WeightsException failsNaming(Path file, String... mustContain) {
        WeightsException e = assertThrows(WeightsException.class, () -> Weights.load(file));
        String name = file.getFileName().toString();
        assertTrue(e.getMessage().contains(name), "message should name the file: " + e.getMessage());
        for (String s : mustContain) {
            assertTrue(e.getMessage().contains(s), "message should contain '" + s + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void truncatedCheckpointFileNamesTheFile() throws Exception {
        byte[] all = Files.readAllBytes(Resources.path(Resources.CHECKPOINT));
        for (int cut : new int[] {10, 4096, all.length / 2, all.length - 30}) {
            Path file = tmp.resolve("cut_" + cut + ".pt");
            Files.write(file, Arrays.copyOf(all, cut));
            failsNaming(file, "truncated or corrupt");
        }
    }

    @Test
    void truncatedPickleInsideAValidZip() throws Exception {
        Map<String, byte[]> entries = TestZips.entries(Resources.path("crafted/strided_p2.pt"));
        byte[] pkl = TestZips.pickleOf(entries);
        Path file = TestZips.torchZip(tmp.resolve("short_pickle.pt"), "x", Arrays.copyOf(pkl, pkl.length / 2),
                TestZips.storages(entries));
        failsNaming(file, "data.pkl", "ends early");
    }

    @Test
    void missingOrShortStorageNamesTheKey() throws Exception {
        Map<String, byte[]> entries = TestZips.entries(Resources.path("crafted/strided_p2.pt"));
        byte[] pkl = TestZips.pickleOf(entries);
        Map<String, byte[]> storages = new HashMap<>(TestZips.storages(entries));
        storages.remove("1");
        failsNaming(TestZips.torchZip(tmp.resolve("no_storage.pt"), "a", pkl, storages), "data/1");

        storages = new HashMap<>(TestZips.storages(entries));
        storages.put("0", new byte[10]);
        failsNaming(TestZips.torchZip(tmp.resolve("short_storage.pt"), "a", pkl, storages), "data/0", "needs");
    }

    @Test
    void hugeLengthClaimsFailWithoutAllocating() throws Exception {
        // BINUNICODE claiming 4 GB, LONG4 claiming 2 GB, FRAME claiming 2^62 bytes.
        byte[][] pickles = {
            {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'a'},
            {(byte) 0x80, 2, (byte) 0x8b, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 1},
            {(byte) 0x80, 4, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0, 0x40, '}', '.'},
            {(byte) 0x80, 2, 'r', 1, 0, 0, 0}, // LONG_BINPUT with nothing on the stack
            {(byte) 0x80, 2, 'h', 7, '.'},     // BINGET of an unwritten memo slot
            {(byte) 0x80, 2, '}', '}'},       // no STOP
            {(byte) 0x80, 2, 'N', 'N', '.'},  // two values left at STOP
            {(byte) 0x80, 2, 'u', '.'},       // SETITEMS without MARK
        };
        for (int i = 0; i < pickles.length; i++) {
            failsNaming(TestZips.torchZip(tmp.resolve("bad" + i + ".pt"), "a", pickles[i], Map.of()));
        }
    }

    @Test
    void storageClaimingMoreElementsThanExistIsRefused() throws Exception {
        // A persistent id claiming 2^40 floats must be refused from the header, not by trying to read them.
        byte[] pkl = HostilePickleTest.pickle(out -> {
            out.write(new byte[] {(byte) 0x80, 2, '}'});
            HostilePickleTest.shortUnicode(out, "w");
            out.write("ctorch._utils\n_rebuild_tensor_v2\n(".getBytes(StandardCharsets.US_ASCII));
            out.write('(');
            HostilePickleTest.shortUnicode(out, "storage");
            out.write("ctorch\nFloatStorage\n".getBytes(StandardCharsets.US_ASCII));
            HostilePickleTest.shortUnicode(out, "0");
            HostilePickleTest.shortUnicode(out, "cpu");
            out.write(new byte[] {(byte) 0x8a, 6, 0, 0, 0, 0, 0, 1}); // LONG1 2^40
            out.write(new byte[] {'t', 'Q', 'K', 0, ')', ')', (byte) 0x89, '}', 't', 'R', 's', '.'});
        });
        failsNaming(TestZips.torchZip(tmp.resolve("huge.pt"), "a", pkl, Map.of("0", new byte[4])), "too large");
    }

    @Test
    void viewOutsideItsStorageIsRefused() throws Exception {
        // size (3,) at offset 2 on a storage of 4 floats reaches element 4.
        byte[] pkl = HostilePickleTest.pickle(out -> {
            out.write(new byte[] {(byte) 0x80, 2, '}'});
            HostilePickleTest.shortUnicode(out, "w");
            out.write("ctorch._utils\n_rebuild_tensor_v2\n(".getBytes(StandardCharsets.US_ASCII));
            out.write('(');
            HostilePickleTest.shortUnicode(out, "storage");
            out.write("ctorch\nFloatStorage\n".getBytes(StandardCharsets.US_ASCII));
            HostilePickleTest.shortUnicode(out, "0");
            HostilePickleTest.shortUnicode(out, "cpu");
            out.write(new byte[] {'K', 4, 't', 'Q', 'K', 2, 'K', 3, (byte) 0x85, 'K', 1, (byte) 0x85,
                (byte) 0x89, '}', 't', 'R', 's', '.'});
        });
        failsNaming(TestZips.torchZip(tmp.resolve("view.pt"), "a", pkl, Map.of("0", new byte[16])),
                "data/0", "reaches element 4");
    }

    @Test
    void randomlyDamagedPicklesOnlyEverFailCleanly() throws Exception {
        Map<String, byte[]> entries = TestZips.entries(Resources.path("crafted/strided_p5.pt"));
        byte[] original = TestZips.pickleOf(entries);
        Map<String, byte[]> storages = TestZips.storages(entries);
        Random random = new Random(20240601);
        Path file = tmp.resolve("fuzz.pt");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 0; round < 400; round++) {
                byte[] pkl = original.clone();
                if (round % 4 == 0) {
                    pkl = Arrays.copyOf(pkl, random.nextInt(pkl.length));
                } else {
                    for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                        pkl[random.nextInt(pkl.length)] = (byte) random.nextInt(256);
                    }
                }
                TestZips.torchZip(file, "a", pkl, storages);
                try {
                    Weights.load(file);
                } catch (WeightsException e) {
                    if (!e.getMessage().contains("fuzz.pt")) {
                        fail("message without the file name: " + e.getMessage());
                    }
                } catch (RuntimeException e) {
                    throw new AssertionError("round " + round + " escaped as " + e, e);
                }
            }
        });
    }

    @Test
    void realCheckpointPickleTruncatedAnywhereFailsCleanly() throws Exception {
        Map<String, byte[]> entries = TestZips.entries(Resources.path(Resources.CHECKPOINT));
        byte[] pkl = TestZips.pickleOf(entries);
        Map<String, byte[]> storages = TestZips.storages(entries);
        Map<String, RestrictedUnpickler.Storage> cache = new HashMap<>();
        RestrictedUnpickler.StorageLoader loader = (key, dtype, numel, location) ->
                cache.computeIfAbsent(key, k -> new RestrictedUnpickler.Storage(k, dtype, storages.get(k)));
        Random random = new Random(7);
        for (int round = 0; round < 40; round++) {
            int cut = random.nextInt(pkl.length);
            WeightsException e = assertThrows(WeightsException.class,
                    () -> new RestrictedUnpickler("real.pt", "x/data.pkl", Arrays.copyOf(pkl, cut), loader).load());
            assertTrue(e.getMessage().contains("real.pt"), e.getMessage());
        }
    }

    @Test
    void unrecognizedAndEmptyFiles() throws Exception {
        Path garbage = tmp.resolve("garbage.pt");
        Files.write(garbage, "this is not a checkpoint".getBytes(StandardCharsets.US_ASCII));
        failsNaming(garbage, "unrecognized");
        Path empty = tmp.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        failsNaming(empty, "empty");
    }

    @Test
    void torchScriptArchiveIsExplained() throws Exception {
        Path file = tmp.resolve("scripted.pt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            for (String name : new String[] {"m/constants.pkl", "m/code/__torch__.py", "m/version"}) {
                zip.putNextEntry(new java.util.zip.ZipEntry(name));
                zip.write(1);
                zip.closeEntry();
            }
        }
        failsNaming(file, "TorchScript");
    }

    @Test
    void truncatedNumpyAndSafetensorsFiles() throws Exception {
        byte[] npy = Files.readAllBytes(Resources.path("crafted/fortran_f8.npy"));
        for (int cut : new int[] {3, 9, 40, npy.length - 1}) {
            Path file = tmp.resolve("cut" + cut + ".npy");
            Files.write(file, Arrays.copyOf(npy, cut));
            assertThrowsNaming(file);
        }
        byte[] npz = Files.readAllBytes(Resources.path("crafted/compressed.npz"));
        Path npzFile = tmp.resolve("cut.npz");
        Files.write(npzFile, Arrays.copyOf(npz, npz.length - 100));
        failsNaming(npzFile);

        byte[] st = Files.readAllBytes(Resources.path("crafted/handmade.safetensors"));
        Path stFile = tmp.resolve("cut.safetensors");
        Files.write(stFile, Arrays.copyOf(st, st.length - 4));
        failsNaming(stFile, "'c'", "outside");
    }

    private void assertThrowsNaming(Path file) {
        WeightsException e = assertThrows(WeightsException.class, () -> {
            if (Files.size(file) < 6) {
                Npy.read(file); // too short to be detected as .npy: read it as one explicitly
            } else {
                Weights.load(file);
            }
        });
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    @Test
    void safetensorsHeaderAndOffsetsAreValidated() throws Exception {
        failsNaming(safetensors("len.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                4, 1 << 30), "header length");
        failsNaming(safetensors("offsets.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, -1), "'a'", "outside");
        failsNaming(safetensors("span.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 8, -1), "'a'", "needs 8");
        failsNaming(safetensors("dtype.safetensors",
                "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, -1), "'a'", "C64");
        failsNaming(safetensors("json.safetensors", "{\"a\":{\"dtype\":\"F32\",", 8, -1), "JSON");
    }

    private Path safetensors(String name, String header, int dataBytes, long claimedLength) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(claimedLength < 0 ? h.length : claimedLength).put(h);
        Path file = tmp.resolve(name);
        Files.write(file, b.array());
        return file;
    }
}
