package io.facex.tools.synthetic;

import io.facex.data.ImageOps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The "no learning" reference for a verification set: cosine similarity of the raw images, each
 * flattened after FaceX-Zoo's {@code (x - 127.5) / 128} and L2-normalised. A trained model is only
 * interesting if it beats this by a wide margin.
 */
public final class PixelBaseline {

    /** Best-threshold accuracy over all pairs, that threshold, and how many pairs. */
    public record Result(double accuracy, double threshold, int pairs) {
    }

    private PixelBaseline() {
    }

    /**
     * Scores every pair of {@code pairs} with raw-pixel cosine similarity, images read from
     * {@code testRoot} with LFW naming and extension {@code extension}.
     */
    public static Result evaluate(Path testRoot, List<LfwPairs.Pair> pairs, String extension) throws IOException {
        Map<String, float[]> features = new HashMap<>();
        double[] scores = new double[pairs.size()];
        boolean[] same = new boolean[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            LfwPairs.Pair p = pairs.get(i);
            scores[i] = dot(feature(testRoot, p.path1(extension), features), feature(testRoot, p.path2(extension), features));
            same[i] = p.same();
        }
        return bestThreshold(scores, same);
    }

    /** The flattened, normalised, unit-length image. */
    public static float[] feature(Path image) throws IOException {
        try (Mat m = ImageOps.read(image)) {
            float[] f = new float[3 * m.rows() * m.cols()];
            ImageOps.toChw(m, f, 0, false);
            double norm = 0;
            for (float v : f) {
                norm += v * v;
            }
            float inv = (float) (1 / Math.max(1e-12, Math.sqrt(norm)));
            for (int i = 0; i < f.length; i++) {
                f[i] *= inv;
            }
            return f;
        }
    }

    /**
     * The accuracy of the best single threshold ("same" when {@code score >= t}) over these pairs —
     * an optimistic figure, since the threshold is chosen on the pairs it is scored on.
     */
    public static Result bestThreshold(double[] scores, boolean[] same) {
        int n = scores.length;
        if (n == 0 || same.length != n) {
            throw new IllegalArgumentException("need as many labels as scores, and at least one: " + n + " vs "
                    + same.length);
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        int positives = 0;
        for (boolean s : same) {
            positives += s ? 1 : 0;
        }
        // Threshold above every score: all called different.
        int correct = n - positives;
        int best = correct;
        double bestT = scores[order[0]] + 1e-9;
        for (int k = 0; k < n; ) {
            double t = scores[order[k]];
            for (; k < n && scores[order[k]] == t; k++) { // equal scores fall on the same side
                correct += same[order[k]] ? 1 : -1;
            }
            if (correct > best) {
                best = correct;
                bestT = t;
            }
        }
        return new Result((double) best / n, bestT, n);
    }

    private static float[] feature(Path root, String rel, Map<String, float[]> cache) throws IOException {
        float[] f = cache.get(rel);
        if (f == null) {
            f = feature(root.resolve(rel));
            cache.put(rel, f);
        }
        return f;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
