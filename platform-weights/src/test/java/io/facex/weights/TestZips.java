package io.facex.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Builds torch-style zips in tests, to feed the readers hand-made or damaged pickles. */
final class TestZips {

    private TestZips() {
    }

    static Path torchZip(Path file, String archive, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            put(zip, archive + "/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                put(zip, archive + "/data/" + e.getKey(), e.getValue());
            }
            put(zip, archive + "/version", "3\n".getBytes());
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /** Every entry of a zip, by name. */
    static Map<String, byte[]> entries(Path zipFile) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zipFile.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    /** The storages of an entry map, keyed as in the pickle ({@code <archive>/data/<key>} → key). */
    static Map<String, byte[]> storages(Map<String, byte[]> entries) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        entries.forEach((name, bytes) -> {
            int at = name.indexOf("/data/");
            if (at >= 0) {
                out.put(name.substring(at + "/data/".length()), bytes);
            }
        });
        return out;
    }

    static byte[] pickleOf(Map<String, byte[]> entries) {
        return entries.entrySet().stream().filter(e -> e.getKey().endsWith("/data.pkl")).findFirst()
                .orElseThrow().getValue();
    }
}
