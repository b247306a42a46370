package io.facex.weights;

import io.facex.weights.RestrictedUnpickler.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch's zip checkpoint format ({@code torch.save} since 1.6): {@code <archive>/data.pkl}
 * describes the object, tensors point by persistent id at raw storages {@code <archive>/data/<key>}.
 */
public final class TorchZip {

    /** data.pkl of a state dict is ~100 bytes per tensor; anything near this is not a weights file. */
    private static final int MAX_PICKLE_BYTES = 256 << 20;

    private TorchZip() {
    }

    public static StateDict read(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String archive = archivePrefix(zip, name);
            String pklEntry = archive + "data.pkl";
            byte[] pickle = readEntry(zip, pklEntry, MAX_PICKLE_BYTES, name);
            boolean bigEndian = bigEndian(zip, archive, name);
            Map<String, Storage> loaded = new HashMap<>();
            RestrictedUnpickler.StorageLoader storages = (key, dtype, numel, location) -> {
                Storage s = loaded.get(key);
                if (s == null) {
                    s = readStorage(zip, archive, key, dtype, numel, name, bigEndian);
                    loaded.put(key, s);
                } else if (s.dtype() != dtype) {
                    throw new WeightsException("cannot read " + name + ": storage data/" + key
                            + " is used both as " + s.dtype() + " and as " + dtype);
                }
                return s;
            };
            Object root = new RestrictedUnpickler(name, pklEntry, pickle, storages).load();
            return Checkpoints.toStateDict(name, root);
        } catch (IOException e) {
            throw WeightsException.reading(name, e);
        }
    }

    /** The folder holding data.pkl: {@code archive/} from torch 2.x, the file's stem from torch 1.x. */
    private static String archivePrefix(ZipFile zip, String name) throws WeightsException {
        String found = null;
        boolean torchScript = false;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String entry = en.nextElement().getName();
            int slash = entry.indexOf('/');
            String rest = slash < 0 ? entry : entry.substring(slash + 1);
            if (rest.equals("data.pkl") && found == null) {
                found = entry.substring(0, entry.length() - "data.pkl".length());
            }
            torchScript |= rest.equals("constants.pkl") || rest.startsWith("code/");
        }
        if (found == null) {
            throw new WeightsException("cannot read " + name + ": the zip has no <archive>/data.pkl, so it is not a"
                    + " torch.save checkpoint" + (torchScript ? " (it looks like a TorchScript model from"
                    + " torch.jit.save; save model.state_dict() with torch.save instead)" : ""));
        }
        return found;
    }

    private static boolean bigEndian(ZipFile zip, String archive, String name) throws IOException {
        ZipEntry e = zip.getEntry(archive + "byteorder");
        if (e == null) {
            return false; // torch only wrote this record once it could be "big"; older files are little-endian
        }
        String order = new String(readEntry(zip, e.getName(), 16, name), StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default -> throw new WeightsException("cannot read " + name + ": unknown byteorder '" + order + "'");
        };
    }

    private static Storage readStorage(ZipFile zip, String archive, String key, DType dtype, long numel,
            String name, boolean bigEndian) throws WeightsException {
        String entryName = archive + "data/" + key;
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            expected = Long.MAX_VALUE;
        }
        if (expected > Strided.MAX_BYTES) {
            throw new WeightsException("cannot read " + name + ": storage data/" + key + " claims " + numel
                    + " " + dtype + " elements, too large for one tensor (corrupt?)");
        }
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new WeightsException("cannot read " + name + ": its pickle refers to storage data/" + key
                    + " but the zip has no entry " + entryName);
        }
        if (entry.getSize() >= 0 && entry.getSize() < expected) {
            throw new WeightsException("cannot read " + name + ": storage data/" + key + " holds " + entry.getSize()
                    + " bytes but needs " + numel + " × " + dtype.byteSize() + " = " + expected);
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes((int) expected);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + name + ": storage data/" + key + ": " + e, e);
        }
        if (bytes.length < expected) {
            throw new WeightsException("cannot read " + name + ": storage data/" + key + " ends after "
                    + bytes.length + " of " + expected + " bytes (file truncated?)");
        }
        if (bigEndian) {
            Strided.swapBytes(bytes, dtype.byteSize());
        }
        return new Storage(key, dtype, bytes);
    }

    private static byte[] readEntry(ZipFile zip, String entryName, int limit, String name) throws IOException {
        ZipEntry e = zip.getEntry(entryName);
        if (e == null) {
            throw new WeightsException("cannot read " + name + ": the zip has no entry " + entryName);
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(limit + 1);
            if (b.length > limit) {
                throw new WeightsException("cannot read " + name + ": " + entryName + " is larger than "
                        + limit + " bytes, which no weights file needs");
            }
            return b;
        }
    }
}
