package io.facex.sdk.retinaface;

import io.facex.api.FaceImage;

import java.util.Arrays;

/**
 * The network's input as FaceX-Zoo's detector prepares it: BGR as float minus (104, 117, 123), CHW, at the
 * image's own size. A gray image counts as BGR with three equal channels. An image whose longer side
 * exceeds {@code maxSide} is first reduced by area averaging (each output pixel the mean of the source
 * pixels it covers, fractions weighted), so a 12000×9000 photo costs one pass over its bytes and a
 * network input of at most {@code maxSide} on the longer side; {@link #scaleX()}/{@link #scaleY()} map
 * the network's coordinates back to the image's.
 *
 * @param chw    3 × height × width floats
 * @param width  the network input's width
 * @param height its height
 * @param scaleX image width / network width (1 when not reduced)
 * @param scaleY image height / network height
 */
record NetInput(float[] chw, int width, int height, double scaleX, double scaleY) {

    /** The means FaceX-Zoo subtracts, in B, G, R order. */
    static final float[] MEAN_BGR = {104f, 117f, 123f};

    /** @param maxSide the longest side the network sees; 0 means never reduce */
    static NetInput of(FaceImage image, int maxSide) {
        int w = image.width();
        int h = image.height();
        int longer = Math.max(w, h);
        if (maxSide <= 0 || longer <= maxSide) {
            return new NetInput(direct(image), w, h, 1, 1);
        }
        double f = (double) maxSide / longer;
        int w2 = Math.max(1, Math.min(maxSide, (int) Math.round(w * f)));
        int h2 = Math.max(1, Math.min(maxSide, (int) Math.round(h * f)));
        return new NetInput(reduced(image, w2, h2), w2, h2, (double) w / w2, (double) h / h2);
    }

    private static float[] direct(FaceImage image) {
        int plane = image.width() * image.height();
        int ch = image.channels();
        byte[] px = image.pixels();
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            int offset = ch == 3 ? c : 0;
            float mean = MEAN_BGR[c];
            for (int i = 0, j = offset; i < plane; i++, j += ch) {
                out[c * plane + i] = (px[j] & 0xff) - mean;
            }
        }
        return out;
    }

    /** Area averaging, separable: each source row is reduced along x once, then added to the ≤ 2 output rows it overlaps. */
    private static float[] reduced(FaceImage image, int w2, int h2) {
        int w = image.width();
        int ch = image.channels();
        byte[] px = image.pixels();
        Overlaps xs = Overlaps.of(w, w2);
        Overlaps ys = Overlaps.of(image.height(), h2);
        int plane = w2 * h2;
        float[] out = new float[3 * plane];
        float[] row = new float[3 * w2];
        int k = 0;
        for (int y = 0; y < image.height(); y++) {
            Arrays.fill(row, 0f);
            int base = y * w * ch;
            for (int t = 0; t < xs.src.length; t++) {
                int p = base + xs.src[t] * ch;
                float wt = xs.weight[t];
                int d = xs.dst[t];
                for (int c = 0; c < 3; c++) {
                    row[c * w2 + d] += wt * (px[p + (ch == 3 ? c : 0)] & 0xff);
                }
            }
            for (; k < ys.src.length && ys.src[k] == y; k++) {
                float wt = ys.weight[k];
                int at = ys.dst[k] * w2;
                for (int c = 0; c < 3; c++) {
                    for (int x = 0; x < w2; x++) {
                        out[c * plane + at + x] += wt * row[c * w2 + x];
                    }
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] -= MEAN_BGR[c];
            }
        }
        return out;
    }

    /**
     * Which source pixels each output pixel covers along one axis, and by what share: output o spans
     * [o·s, (o+1)·s) in source pixels, s = n / n2; source pixel i contributes its overlap with that span / s.
     * Sorted by source index.
     */
    private record Overlaps(int[] src, int[] dst, float[] weight) {

        static Overlaps of(int n, int n2) {
            double s = (double) n / n2;
            int[] src = new int[n + n2];
            int[] dst = new int[n + n2];
            float[] weight = new float[n + n2];
            int k = 0;
            for (int o = 0; o < n2; o++) {
                double start = o * s;
                double end = Math.min(n, (o + 1) * s);
                for (int i = (int) Math.floor(start); i < end && i < n; i++) {
                    double overlap = Math.min(end, i + 1) - Math.max(start, i);
                    if (overlap > 1e-9) {
                        src[k] = i;
                        dst[k] = o;
                        weight[k] = (float) (overlap / s);
                        k++;
                    }
                }
            }
            return new Overlaps(Arrays.copyOf(src, k), Arrays.copyOf(dst, k),
                    Arrays.copyOf(weight, k));
        }
    }
}
