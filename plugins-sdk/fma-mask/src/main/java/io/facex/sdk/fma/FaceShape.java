package io.facex.sdk.fma;

import io.facex.api.sdk.MaskNotFittedException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The 68 landmarks (iBUG layout) the mask mesh hangs on, in the image and in the templates' UV space.
 * From PFLD's 106 points they are FaceX-Zoo's own selection (spec §7 step 1); from RetinaFace's five they
 * are a frontal face placed by the least-squares affine map of its eyes, nose tip and mouth corners.
 */
final class FaceShape {

    static final int POINTS = 68;

    /** FMA-3D's 106 → 68 map, zero-based; two indices mean the midpoint of the two. */
    private static final int[][] FROM_106 = {
        {1, 2}, {3, 4}, {5, 6}, {7}, {9}, {11}, {12, 13}, {14}, {16}, {18}, {19, 20}, {21}, {23}, {25}, {26, 27},
        {28, 29}, {30, 31}, {33}, {34}, {35}, {36}, {37}, {42}, {43}, {44}, {45}, {46}, {51}, {52}, {53}, {54},
        {58}, {59}, {60}, {61}, {62}, {66}, {67}, {69}, {70}, {71}, {73}, {75}, {76}, {78}, {79}, {80}, {82},
        {84}, {85}, {86}, {87}, {88}, {89}, {90}, {91}, {92}, {93}, {94}, {95}, {96}, {97}, {98}, {99}, {100},
        {101}, {102}, {103},
    };

    static final int NOSE_TIP = 30;
    static final int MOUTH_LEFT = 48;
    static final int MOUTH_RIGHT = 54;

    /**
     * The UV coordinates of the 68 landmarks (FMA-3D's {@code uv_kpt_ind.txt}: a row of u, then a row of v),
     * x0, y0, x1, y1, ...: where each landmark sits in every 256×256 template.
     */
    static final double[] UV = readUv();

    /**
     * A frontal face in UV units (bundled {@code frontal_68.txt}, see its header) for placing the mesh from
     * five points. Not the UV keypoints themselves: the UV map unrolls the face around the head, so its
     * jaw line is almost twice as wide as a face's seen from the front and starts at the nose instead of
     * the eyes; a mask placed from them covers the cheeks up to the eyes.
     */
    static final double[] FRONTAL = readPairs("masks/frontal_68.txt");

    private FaceShape() {
    }

    /** The 68 image points from 212 values (106 points) or 10 values (5 points). */
    static double[] imagePoints(float[] landmarks) {
        if (landmarks == null) {
            throw new IllegalArgumentException("no landmarks given");
        }
        for (int i = 0; i < landmarks.length; i++) {
            if (!Float.isFinite(landmarks[i])) {
                throw new IllegalArgumentException("landmark " + i / 2 + " is not finite: " + landmarks[i]);
            }
        }
        return switch (landmarks.length) {
            case 212 -> from106(landmarks);
            case 10 -> from5(landmarks);
            default -> throw new IllegalArgumentException("expected 212 (106 points) or 10 (5 points) landmark values, got "
                    + landmarks.length);
        };
    }

    private static double[] from106(float[] p) {
        double[] out = new double[2 * POINTS];
        for (int i = 0; i < POINTS; i++) {
            for (int k : FROM_106[i]) {
                out[2 * i] += p[2 * k] / FROM_106[i].length;
                out[2 * i + 1] += p[2 * k + 1] / FROM_106[i].length;
            }
        }
        return out;
    }

    /** The mean face mapped by the affine transform that best takes its five points onto the given five. */
    private static double[] from5(float[] p) {
        double[] m = Affine.leastSquares(five(FRONTAL), toDouble(p));
        return Affine.apply(m, FRONTAL);
    }

    private static double[] toDouble(float[] p) {
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = p[i];
        }
        return out;
    }

    /** Left eye centre, right eye centre, nose tip, left and right mouth corner of a 68-point shape. */
    static double[] five(double[] s) {
        double[] l = centre(s, 36, 42);
        double[] r = centre(s, 42, 48);
        return new double[] {l[0], l[1], r[0], r[1], s[2 * NOSE_TIP], s[2 * NOSE_TIP + 1],
            s[2 * MOUTH_LEFT], s[2 * MOUTH_LEFT + 1], s[2 * MOUTH_RIGHT], s[2 * MOUTH_RIGHT + 1]};
    }

    /** The mean of points {@code from} (inclusive) to {@code to} (exclusive). */
    static double[] centre(double[] s, int from, int to) {
        double x = 0, y = 0;
        for (int i = from; i < to; i++) {
            x += s[2 * i];
            y += s[2 * i + 1];
        }
        return new double[] {x / (to - from), y / (to - from)};
    }

    /**
     * Refuses faces the 2-D mesh cannot dress: the given (or, of 106, the derived) eye, nose and mouth
     * points must be on the image, and
     * the eyes must not be much closer together than they are far from the mouth. On a frontal face the
     * ratio is about 1; it falls with cos(yaw), and below {@code minEyeRatio} (0.3: about 70°) one
     * cheek is hidden, which a flat mesh would paint over the face's silhouette anyway.
     */
    static void checkFits(float[] landmarks, int width, int height, double minEyeRatio) {
        String[] names = {"left eye", "right eye", "nose tip", "left mouth corner", "right mouth corner"};
        double[] f = landmarks.length == 10 ? toDouble(landmarks) : five(from106(landmarks));
        for (int i = 0; i < 5; i++) {
            double x = f[2 * i], y = f[2 * i + 1];
            if (x < 0 || y < 0 || x >= width || y >= height) {
                throw new MaskNotFittedException(String.format(Locale.ROOT, "the %s (%.1f, %.1f) is outside the %dx%d image",
                        names[i], x, y, width, height));
            }
        }
        double eyes = Math.hypot(f[2] - f[0], f[3] - f[1]);
        double mx = (f[6] + f[8]) / 2 - (f[0] + f[2]) / 2, my = (f[7] + f[9]) / 2 - (f[1] + f[3]) / 2;
        double eyeToMouth = Math.hypot(mx, my);
        if (eyeToMouth < 2) {
            throw new MaskNotFittedException(String.format(Locale.ROOT, "the face is too small: eyes %.1f px from the mouth",
                    eyeToMouth));
        }
        if (eyes / eyeToMouth < minEyeRatio) {
            throw new MaskNotFittedException(String.format(Locale.ROOT, "a profile face: the eyes are %.1f px apart, %.2f of "
                    + "their distance to the mouth (at least %.2f needed)", eyes, eyes / eyeToMouth, minEyeRatio));
        }
    }

    private static double[] readPairs(String resource) {
        double[] v = numbers(resource);
        if (v.length != 2 * POINTS) {
            throw new IllegalStateException(resource + ": expected 68 x, y pairs, got " + v.length + " values");
        }
        return v;
    }

    private static double[] readUv() {
        double[] rows = numbers("masks/uv_kpt_ind.txt");
        if (rows.length != 2 * POINTS) {
            throw new IllegalStateException("masks/uv_kpt_ind.txt: expected 2x68 values, got " + rows.length);
        }
        double[] out = new double[2 * POINTS];
        for (int i = 0; i < POINTS; i++) {
            out[2 * i] = rows[i];
            out[2 * i + 1] = rows[POINTS + i];
        }
        return out;
    }

    /** The numbers of a bundled text resource; lines starting with # are comments. */
    private static double[] numbers(String resource) {
        try (InputStream in = FaceShape.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .filter(l -> !l.startsWith("#"))
                    .flatMap(l -> Arrays.stream(l.trim().split("\\s+")))
                    .filter(w -> !w.isEmpty())
                    .mapToDouble(Double::parseDouble).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
