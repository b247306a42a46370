package io.facex.weights;

import io.facex.weights.RestrictedUnpickler.Storage;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the legacy {@code torch.save} format (PyTorch before 1.6, or {@code _use_new_zipfile_serialization=False}),
 * in which FaceX-Zoo's SDK models are whole pickled modules. The file is five pickles and then raw data:
 * a magic number, the format version (1001), a sys-info dict (byte order, C type sizes), the object whose
 * tensors name storages by persistent id {@code ('storage', type, key, location, numel, view)}, the list
 * of storage keys, and then for each key in that order an int64 element count and the storage's bytes.
 *
 * <p>The file is streamed once, front to back: tensors are recorded while the object is unpickled and cut
 * out of their storages once those have been read, so the file is never held in memory whole.
 */
public final class TorchLegacy {

    /** What {@code torch.save} writes first; tells this format apart from any other pickle. */
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long FORMAT_VERSION = 1001;

    /** A storage the object pickle named, with the element count its persistent id gave. */
    private record Declared(Storage storage, long numel) {
    }

    private final String name;
    private final PickleInput in;
    private final Map<String, Declared> declared = new LinkedHashMap<>();

    private TorchLegacy(String name, PickleInput in) {
        this.name = name;
        this.in = in;
    }

    public static StateDict read(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        try (InputStream stream = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return new TorchLegacy(name, new PickleInput(stream, Files.size(file))).read();
        } catch (IOException e) {
            throw WeightsException.reading(name, e);
        }
    }

    private StateDict read() throws IOException {
        Object magic = unpickle("legacy torch.save magic number");
        if (!MAGIC.equals(magic)) {
            throw fail("it is a bare pickle but not PyTorch's legacy torch.save format (no magic number);"
                    + " expected a torch.save file, .npz, .npy or safetensors");
        }
        Object version = unpickle("legacy torch.save format version");
        if (!Long.valueOf(FORMAT_VERSION).equals(version)) {
            throw fail("legacy torch.save format version " + version + ", only " + FORMAT_VERSION + " is known");
        }
        boolean bigEndian = bigEndian(unpickle("legacy torch.save sys info"));

        RestrictedUnpickler objectPickle = new RestrictedUnpickler(name, "object pickle", in, this::declare);
        Object root = objectPickle.load();
        List<String> keys = keyList(unpickle("storage key list"));

        Map<String, byte[]> data = readStorages(keys, bigEndian);
        for (DeferredTensor t : objectPickle.deferredTensors()) {
            try {
                t.resolve(data);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw fail("corrupt tensor, " + e.getMessage());
            }
        }
        return Checkpoints.toStateDict(name, root);
    }

    /** One of the small pickles around the object: they never name storages. */
    private Object unpickle(String what) throws WeightsException {
        return new RestrictedUnpickler(name, what, in, (key, dtype, numel, location) -> {
            throw fail("the " + what + " refers to storage " + key);
        }).load();
    }

    /** The storages' bytes follow the key list, so while unpickling a storage is only declared. */
    private Storage declare(String key, DType dtype, long numel, String location) throws WeightsException {
        Declared known = declared.get(key);
        if (known != null) {
            if (known.storage().dtype() != dtype) {
                throw fail("storage " + key + " is used both as " + known.storage().dtype() + " and as " + dtype);
            }
            return known.storage();
        }
        long bytes = byteSize(numel, dtype);
        // Refused before any allocation: no storage is larger than what is left of the file.
        if (bytes > Strided.MAX_BYTES || bytes > in.remaining()) {
            throw fail("storage " + key + " claims " + numel + " " + dtype + " elements, more than "
                    + (bytes > Strided.MAX_BYTES ? "one tensor can hold" : "the " + in.remaining()
                    + " bytes left in the file") + " (truncated or corrupt?)");
        }
        Storage s = new Storage(key, dtype, null);
        declared.put(key, new Declared(s, numel));
        return s;
    }

    private Map<String, byte[]> readStorages(List<String> keys, boolean bigEndian) throws IOException {
        Map<String, byte[]> data = new HashMap<>();
        for (String key : keys) {
            Declared d = declared.get(key);
            if (d == null) {
                throw fail("the storage key list names " + key + ", which the object pickle never uses");
            }
            if (data.containsKey(key)) {
                throw fail("the storage key list names " + key + " twice");
            }
            DType dtype = d.storage().dtype();
            long at = in.position();
            if (in.remaining() < 8) {
                throw fail("the data of storage " + key + " (" + d.numel() + " " + dtype + " elements) is missing"
                        + " at byte " + at + " (file truncated?)");
            }
            long count = in.i64();
            if (count != d.numel()) {
                throw fail("storage " + key + " at byte " + at + " says " + count + " elements but its pickle says "
                        + d.numel() + " (corrupt?)");
            }
            long bytes = byteSize(count, dtype);
            if (bytes > in.remaining()) {
                throw fail("the data of storage " + key + " needs " + bytes + " bytes but only " + in.remaining()
                        + " are left (file truncated?)");
            }
            byte[] b;
            try {
                b = in.bytes((int) bytes);
            } catch (EOFException e) {
                throw fail("the data of storage " + key + " ends early (file truncated?)");
            }
            if (bigEndian) {
                Strided.swapBytes(b, dtype.byteSize());
            }
            data.put(key, b);
        }
        for (String key : declared.keySet()) {
            if (!data.containsKey(key)) {
                throw fail("its object pickle uses storage " + key + " but the storage key list does not name it");
            }
        }
        return data;
    }

    private List<String> keyList(Object keys) throws WeightsException {
        if (!(keys instanceof List<?> list)) {
            throw fail("the storage key list is not a list");
        }
        List<String> out = new ArrayList<>();
        for (Object k : list) {
            if (!(k instanceof String s)) {
                throw fail("the storage key list holds a non-string key");
            }
            out.add(s);
        }
        return out;
    }

    private boolean bigEndian(Object sysInfo) throws WeightsException {
        if (!(sysInfo instanceof Map<?, ?> info) || !(info.get("little_endian") instanceof Boolean little)) {
            throw fail("the legacy torch.save sys info is not a dict with 'little_endian'");
        }
        return !little;
    }

    private static long byteSize(long numel, DType dtype) {
        try {
            return Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private WeightsException fail(String what) {
        return new WeightsException("cannot read " + name + ": " + what);
    }
}
