package io.facex.protocol.verification;

import io.facex.api.FeatureLookup;
import io.facex.api.ProtocolResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a pair list the way FaceX-Zoo does — the dot product of the normalised features, in float32 —
 * and reports its 10-fold accuracy plus what the original lacks: TAR at fixed FARs and the ROC curve.
 * A pair whose image has no feature is left out and counted; the others keep their folds.
 */
public final class Verification {

    /** False accept rates reported when there are enough different-person pairs to measure them. */
    public static final double[] FARS = {1e-1, 1e-2, 1e-3, 1e-4};

    private Verification() {
    }

    /** The scored pairs: float32 cosine, label and fold of each pair that could be scored. */
    public record Scores(float[] scores, boolean[] same, int[] fold, int skipped) {
    }

    public static Scores score(List<Pair> pairs, FeatureLookup features) {
        float[] s = new float[pairs.size()];
        boolean[] same = new boolean[pairs.size()];
        int[] fold = new int[pairs.size()];
        int n = 0;
        for (Pair p : pairs) {
            float[] a = features.feature(p.image1());
            float[] b = features.feature(p.image2());
            if (a == null || b == null) {
                continue;
            }
            float dot = 0;
            for (int d = 0; d < a.length; d++) {
                dot += a[d] * b[d];
            }
            s[n] = dot;
            same[n] = p.same();
            fold[n] = p.fold();
            n++;
        }
        return new Scores(java.util.Arrays.copyOf(s, n), java.util.Arrays.copyOf(same, n),
                java.util.Arrays.copyOf(fold, n), pairs.size() - n);
    }

    /**
     * Every metric of one benchmark (or subset) into {@code scores}, the ROC files into {@code dir}.
     *
     * @param benchmark the name in the results, e.g. {@code LFW} or {@code RFW-Asian}
     */
    public static void evaluate(String benchmark, List<Pair> pairs, FeatureLookup features, Path dir,
                                List<ProtocolResult.Score> scores, Map<String, Integer> skipped,
                                Map<String, Path> artifacts) throws IOException {
        Scores s = score(pairs, features);
        if (s.skipped() > 0) {
            skipped.merge(benchmark + ": pairs with an image that has no feature", s.skipped(), Integer::sum);
        }
        if (s.scores().length == 0) {
            scores.add(new ProtocolResult.Score(benchmark, "accuracy", Double.NaN, Double.NaN));
            return;
        }
        TenFold.Result r = TenFold.evaluate(s.scores(), s.same(), s.fold());
        scores.add(new ProtocolResult.Score(benchmark, "accuracy", r.mean(), r.stdError()));
        Roc roc = Roc.of(s.scores(), s.same());
        for (double far : FARS) {
            double tar = roc.tarAt(far);
            if (!Double.isNaN(tar)) {
                scores.add(new ProtocolResult.Score(benchmark, "TAR@FAR=" + Roc.format(far), tar, Double.NaN));
            }
        }
        String stem = benchmark.replaceAll("[^A-Za-z0-9._-]", "_");
        artifacts.put(benchmark + " ROC curve", roc.plot(dir.resolve(stem + "_roc.png"), benchmark));
        artifacts.put(benchmark + " ROC points", roc.csv(dir.resolve(stem + "_roc.csv")));
    }

    /** Convenience for one list: a whole {@link ProtocolResult}. */
    public static ProtocolResult evaluate(String benchmark, List<Pair> pairs, FeatureLookup features, Path dir)
            throws IOException {
        List<ProtocolResult.Score> scores = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        Map<String, Path> artifacts = new LinkedHashMap<>();
        evaluate(benchmark, pairs, features, dir, scores, skipped, artifacts);
        return new ProtocolResult(scores, skipped, artifacts);
    }
}
