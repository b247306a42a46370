package io.facex.sdk.fma;

import io.facex.api.sdk.MaskNotFittedException;

import java.util.Locale;

/**
 * The triangle mesh the template is warped along: lower-face landmarks plus an outer ring, triangulated
 * once in UV space. A vertex is the same linear combination of landmarks in UV and in the image, so each
 * triangle carries its piece of the template to where those landmarks are in the photo.
 */
final class Mesh {

    /**
     * Jaw 0–16, nose 27–35, the eye corners 36, 39, 42, 45 (anchor the mask's top edge beside the nose
     * bridge), the outer lips 48–59. The inner lips 60–67 are left out: on a closed mouth they coincide
     * with each other, and their slivers would flip at a pixel of landmark noise under an opaque mask.
     */
    static final int[] BASE = concat(range(0, 17), range(27, 36), new int[] {36, 39, 42, 45}, range(48, 60));

    /** The contour pushed outwards from the nose tip, so the mesh covers the template's mask beyond the jaw line. */
    static final int[] RING = concat(range(0, 17), new int[] {45, 42, 27, 39, 36});

    /** How far the ring lies beyond the contour, as a multiple of its distance from the nose tip. */
    static final double RING_SCALE = 1.3;

    /** Mesh triangles whose image orientation may flip (landmark noise) before the face is refused, as a share of the UV area. */
    static final double MAX_FOLDED = 0.1;

    static final double[] UV = vertices(FaceShape.UV);
    static final int[] TRIANGLES = Delaunay.triangulate(UV);

    private Mesh() {
    }

    /** The mesh's vertices for a 68-point shape, x0, y0, .... */
    static double[] vertices(double[] shape) {
        double[] v = new double[2 * (BASE.length + RING.length)];
        for (int i = 0; i < BASE.length; i++) {
            v[2 * i] = shape[2 * BASE[i]];
            v[2 * i + 1] = shape[2 * BASE[i] + 1];
        }
        double cx = shape[2 * FaceShape.NOSE_TIP], cy = shape[2 * FaceShape.NOSE_TIP + 1];
        for (int i = 0; i < RING.length; i++) {
            int o = 2 * (BASE.length + i);
            v[o] = cx + RING_SCALE * (shape[2 * RING[i]] - cx);
            v[o + 1] = cy + RING_SCALE * (shape[2 * RING[i] + 1] - cy);
        }
        return v;
    }

    /**
     * Refuses a mesh that folds over in the image: where a triangle's orientation is the reverse of its UV
     * orientation, two parts of the template land on the same pixels (a turned-away face, mirrored landmarks).
     */
    static void checkNotFolded(double[] image) {
        double folded = 0, total = 0;
        int count = 0;
        for (int t = 0; t < TRIANGLES.length; t += 3) {
            double uv = Delaunay.area(UV, TRIANGLES[t], TRIANGLES[t + 1], TRIANGLES[t + 2]);
            total += uv;
            if (Delaunay.area(image, TRIANGLES[t], TRIANGLES[t + 1], TRIANGLES[t + 2]) <= 0) {
                folded += uv;
                count++;
            }
        }
        if (folded > MAX_FOLDED * total) {
            throw new MaskNotFittedException(String.format(Locale.ROOT, "the mask mesh folds over: %d of %d triangles "
                    + "(%.0f%% of its area) are turned over in the image (profile or mirrored landmarks)",
                    count, TRIANGLES.length / 3, 100 * folded / total));
        }
    }

    private static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }

    private static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
