package io.facex.core.eval;

import io.facex.weights.Npy;
import io.facex.weights.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Features on disk, so that evaluating the same model on another protocol, or again with other
 * thresholds, skips extraction. An entry is keyed by the model (the weights' content, the backbone and
 * its configuration, flip fusion) and the image list (folder and every path); it stores the list it was
 * made from and is used only if that list is exactly the one asked for, so a damaged, foreign or
 * colliding entry is reported and rebuilt, never reused.
 *
 * <p>Files: {@code <key>.npy} (float32, images × dimension) and {@code <key>.txt} (one image per line,
 * in row order; a failed image is followed by a TAB and the reason).
 */
public final class FeatureCache {

    private final Path dir;

    public FeatureCache(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** The identity of a weights file: a digest of its bytes, read once per model however many benchmarks follow. */
    public static String modelDigest(Path weights) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(weights)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The entry name for a model and an image list: features of the same images from the same model are
     * shared by every protocol that asks for them (MegaFace and MegaFace-Mask, a re-run with another
     * threshold). {@code label} only makes the file name readable.
     *
     * @param modelDigest {@link #modelDigest} of the weights
     */
    public static String key(String modelDigest, String backbone, Object backboneConfig, Path imageRoot, boolean flip,
                             List<String> images, String label) {
        return key(modelDigest, backbone, backboneConfig, imageRoot, flip, false, images, label);
    }

    /** @param cropEye features of the upper-half faces ({@code crop_eye}) */
    public static String key(String modelDigest, String backbone, Object backboneConfig, Path imageRoot, boolean flip,
                             boolean cropEye, List<String> images, String label) {
        MessageDigest sha = sha256();
        String model = String.join("\n", modelDigest, backbone, String.valueOf(backboneConfig),
                imageRoot.toAbsolutePath().normalize().toString(), Boolean.toString(flip));
        if (cropEye) {
            // appended only when set, so the entries of full-face models made before the crop existed stay valid
            model += "\ncrop_eye";
        }
        sha.update(model.getBytes(StandardCharsets.UTF_8));
        for (String image : images) {
            sha.update((byte) '\n');
            sha.update(image.getBytes(StandardCharsets.UTF_8));
        }
        String name = label.replaceAll("[^A-Za-z0-9._-]", "_");
        return name + "-" + HexFormat.of().formatHex(sha.digest(), 0, 12);
    }

    /** The cached features of {@code images}, if the entry exists and was made from exactly this list. */
    public Optional<FeatureSet> load(String key, List<String> images, PrintStream notes) {
        Path npy = dir.resolve(key + ".npy");
        Path txt = dir.resolve(key + ".txt");
        if (!Files.exists(npy) || !Files.exists(txt)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(txt, StandardCharsets.UTF_8);
            List<String> cached = new ArrayList<>(lines.size());
            Map<String, String> failures = new LinkedHashMap<>();
            for (String l : lines) {
                int tab = l.indexOf('\t');
                String image = tab < 0 ? l : l.substring(0, tab);
                cached.add(image);
                if (tab >= 0) {
                    failures.put(image, l.substring(tab + 1));
                }
            }
            String difference = difference(cached, images);
            if (difference != null) {
                notes.printf("feature cache %s was made from another image list (%s); extracting again%n", txt, difference);
                return Optional.empty();
            }
            Tensor t = Npy.read(npy);
            long[] shape = t.shape();
            if (shape.length != 2 || shape[0] != images.size()) {
                notes.printf("feature cache %s holds shape %s, not %d rows; extracting again%n", npy,
                        java.util.Arrays.toString(shape), images.size());
                return Optional.empty();
            }
            return Optional.of(new FeatureSet(images, t.toFloatArray(), (int) shape[1], failures));
        } catch (IOException | RuntimeException e) {
            notes.printf("feature cache %s is unreadable (%s); extracting again%n", npy, e.getMessage());
            return Optional.empty();
        }
    }

    /** Writes an entry; each file goes to a temporary name first, so a crash never leaves a half entry in use. */
    public void store(String key, FeatureSet set) throws IOException {
        Files.createDirectories(dir);
        Path npy = dir.resolve(key + ".npy");
        Path txt = dir.resolve(key + ".txt");
        // the list is what makes an entry valid: remove it first and write it last
        Files.deleteIfExists(txt);
        Path tmp = dir.resolve("." + key + ".npy.partial");
        Npy.writeFloats(tmp, set.values(), set.images().size(), set.dimension());
        Files.move(tmp, npy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        StringBuilder s = new StringBuilder();
        for (String image : set.images()) {
            s.append(image);
            String why = set.failures().get(image);
            if (why != null) {
                s.append('\t').append(why.replace('\n', ' ').replace('\t', ' '));
            }
            s.append('\n');
        }
        Path tmpTxt = dir.resolve("." + key + ".txt.partial");
        Files.writeString(tmpTxt, s, StandardCharsets.UTF_8);
        Files.move(tmpTxt, txt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String difference(List<String> cached, List<String> wanted) {
        if (cached.size() != wanted.size()) {
            return cached.size() + " images cached, " + wanted.size() + " asked for";
        }
        for (int i = 0; i < cached.size(); i++) {
            if (!cached.get(i).equals(wanted.get(i))) {
                return "image " + (i + 1) + " is " + cached.get(i) + ", asked for " + wanted.get(i);
            }
        }
        return null;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
