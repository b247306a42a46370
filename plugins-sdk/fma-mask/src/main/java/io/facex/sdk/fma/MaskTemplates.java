package io.facex.sdk.fma;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;

/**
 * The mask templates, {@code 0.png, 1.png, ...}: 256×256 RGBA in PRNet's UV space, the alpha being the
 * mask. Decoded once and kept. FMA-3D reads them, and the photo, as RGB(A) with skimage; OpenCV decodes
 * both as BGR(A), so template and photo channels pair up as they do there.
 */
final class MaskTemplates {

    static final int SIZE = 256;
    /** The templates shipped in the bundle, FMA-3D's {@code Data/mask-data}. */
    static final int BUNDLED = 8;

    /** A decoded template: BGRA bytes, colour bled into the transparent part (see {@link #bleed}). */
    record Template(String source, byte[] bgra) {
    }

    private static final Map<String, Template> CACHE = new ConcurrentHashMap<>();

    private MaskTemplates() {
    }

    /** How many templates a folder holds: 0.png, 1.png, ... up to the first missing number; 8 bundled. */
    static int count(String dir) {
        if (dir.isEmpty()) {
            return BUNDLED;
        }
        int n = 0;
        while (Files.isRegularFile(Path.of(dir, n + ".png"))) {
            n++;
        }
        return n;
    }

    static Template get(String dir, int index) {
        String key = (dir.isEmpty() ? "bundled:" : Path.of(dir, "").toAbsolutePath() + "/") + index;
        return CACHE.computeIfAbsent(key, k -> load(dir, index));
    }

    private static Template load(String dir, int index) {
        String name = index + ".png";
        byte[] bytes;
        String source;
        try {
            if (dir.isEmpty()) {
                source = "bundled mask template masks/" + name;
                try (InputStream in = MaskTemplates.class.getResourceAsStream("masks/" + name)) {
                    if (in == null) {
                        throw new IllegalArgumentException(source + " does not exist (templates 0-" + (BUNDLED - 1) + ")");
                    }
                    bytes = in.readAllBytes();
                }
            } else {
                Path file = Path.of(dir, name);
                source = file.toString();
                bytes = Files.readAllBytes(file);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(e.getFile() + ": mask template not found (template_dir " + dir + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(dir + "/" + name + ": cannot read the mask template", e);
        }
        return new Template(source, decode(bytes, source));
    }

    private static byte[] decode(byte[] bytes, String source) {
        try (BytePointer p = new BytePointer(bytes.length)) {
            p.put(bytes, 0, bytes.length);
            try (Mat buf = new Mat(1, bytes.length, CV_8UC1, p);
                 Mat m = opencv_imgcodecs.imdecode(buf, opencv_imgcodecs.IMREAD_UNCHANGED)) {
                if (m == null || m.empty()) {
                    throw new IllegalArgumentException(source + ": not an image OpenCV can decode");
                }
                if (m.type() != CV_8UC4) {
                    throw new IllegalArgumentException(source + ": a mask template is 8-bit RGBA (the alpha is the mask), "
                            + "got " + m.channels() + " channel(s) of depth " + m.depth());
                }
                if (m.cols() != SIZE || m.rows() != SIZE) {
                    throw new IllegalArgumentException(source + ": a mask template is 256x256 (PRNet's UV map), got "
                            + m.cols() + "x" + m.rows());
                }
                byte[] bgra = new byte[SIZE * SIZE * 4];
                for (int r = 0; r < SIZE; r++) {
                    m.ptr(r).get(bgra, r * SIZE * 4, SIZE * 4);
                }
                bleed(bgra);
                return bgra;
            }
        }
    }

    /**
     * Gives every transparent pixel the colour of the nearest opaque ones (repeated 4-neighbour averaging).
     * The templates are white or grey there; bilinear sampling and the feathered alpha would otherwise draw
     * a light seam around every mask.
     */
    static void bleed(byte[] bgra) {
        boolean[] known = new boolean[SIZE * SIZE];
        int unknown = 0;
        for (int i = 0; i < known.length; i++) {
            known[i] = bgra[4 * i + 3] != 0;
            unknown += known[i] ? 0 : 1;
        }
        if (unknown == known.length) {
            return;
        }
        int[] dx = {1, -1, 0, 0}, dy = {0, 0, 1, -1};
        while (unknown > 0) {
            boolean[] next = known.clone();
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    int i = y * SIZE + x;
                    if (known[i]) {
                        continue;
                    }
                    int b = 0, g = 0, r = 0, n = 0;
                    for (int k = 0; k < 4; k++) {
                        int nx = x + dx[k], ny = y + dy[k];
                        if (nx >= 0 && ny >= 0 && nx < SIZE && ny < SIZE && known[ny * SIZE + nx]) {
                            int j = 4 * (ny * SIZE + nx);
                            b += bgra[j] & 0xff;
                            g += bgra[j + 1] & 0xff;
                            r += bgra[j + 2] & 0xff;
                            n++;
                        }
                    }
                    if (n > 0) {
                        bgra[4 * i] = (byte) Math.round((float) b / n);
                        bgra[4 * i + 1] = (byte) Math.round((float) g / n);
                        bgra[4 * i + 2] = (byte) Math.round((float) r / n);
                        next[i] = true;
                        unknown--;
                    }
                }
            }
            known = next;
        }
    }

    /** The template as a new OpenCV Mat (the caller closes it). */
    static Mat mat(Template t) {
        Mat m = new Mat(SIZE, SIZE, CV_8UC4);
        m.data().put(t.bgra(), 0, t.bgra().length);
        return m;
    }
}
