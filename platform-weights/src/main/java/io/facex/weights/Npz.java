package io.facex.weights;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** NumPy's {@code .npz}: a zip of {@code <key>.npy} arrays ({@code np.savez}, {@code np.savez_compressed}). */
public final class Npz {

    private static final String SUFFIX = ".npy";

    private Npz() {
    }

    public static StateDict read(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory() || !e.getName().endsWith(SUFFIX)) {
                    continue; // np.load also only looks at .npy members
                }
                String key = e.getName().substring(0, e.getName().length() - SUFFIX.length());
                try (InputStream in = zip.getInputStream(e)) {
                    tensors.put(key, Npy.read(in, name + " (entry " + e.getName() + ")"));
                }
            }
        } catch (IOException e) {
            throw WeightsException.reading(name, e);
        }
        return new StateDict(name, tensors);
    }

    /** Writes every tensor as {@code <key>.npy}, uncompressed like {@code np.savez}; extras are not kept. */
    public static void write(Path file, StateDict weights) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file));
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                Npy.write(buf, e.getValue());
                byte[] bytes = buf.toByteArray();
                ZipEntry entry = new ZipEntry(e.getKey() + SUFFIX);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
    }
}
