package io.facex.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** The formats {@link Weights#load} understands, told apart by their first bytes (extensions lie). */
public enum WeightsFormat {
    /** {@code torch.save} since PyTorch 1.6: a zip with {@code <archive>/data.pkl}. */
    TORCH_ZIP,
    /** {@code torch.save} before PyTorch 1.6 (or without the zip option): pickles, then raw storages. */
    TORCH_LEGACY,
    /** {@code np.savez}: a zip of {@code .npy} members. */
    NPZ,
    /** A single {@code np.save} array. */
    NPY,
    SAFETENSORS;

    public static WeightsFormat detect(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + name + ": " + e, e);
        }
        if (head.length == 0) {
            throw new WeightsException("cannot read " + name + ": the file is empty");
        }
        if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
            return zipKind(file, name);
        }
        if (head.length >= 6 && Arrays.equals(Arrays.copyOf(head, 6), Npy.MAGIC)) {
            return NPY;
        }
        // safetensors starts with its header length, whose low byte can be anything (even 0x80, like a
        // pickle), so it is recognized by the JSON brace that follows before the pickle check below.
        if (head.length >= 9 && head[8] == '{') {
            return SAFETENSORS;
        }
        // A bare pickle: the legacy reader checks for torch.save's magic number and explains otherwise.
        if ((head[0] & 0xff) == 0x80 && head.length > 1 && head[1] >= 1 && head[1] <= 5) {
            return TORCH_LEGACY;
        }
        throw new WeightsException("cannot read " + name + ": unrecognized content (first bytes " + hex(head)
                + "); expected a torch.save zip, .npz, .npy or safetensors file");
    }

    private static WeightsFormat zipKind(Path file, String name) throws WeightsException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean npy = false;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String entry = en.nextElement().getName();
                if (entry.endsWith("/data.pkl") || entry.equals("data.pkl")) {
                    return TORCH_ZIP;
                }
                npy |= entry.endsWith(".npy");
            }
            if (npy || zip.size() == 0) {
                return NPZ;
            }
            // Neither: let the torch reader explain (it recognizes TorchScript archives).
            return TORCH_ZIP;
        } catch (ZipException e) {
            throw new WeightsException("cannot read " + name + ": not a readable zip archive (truncated or corrupt?): "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + name + ": " + e, e);
        }
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != (byte) prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            s.append(String.format("%02x ", b[i] & 0xff));
        }
        return s.toString().trim();
    }
}
