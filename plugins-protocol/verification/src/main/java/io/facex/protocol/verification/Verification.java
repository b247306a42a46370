package io.facex.protocol.verification;

import io.facex.api.FeatureLookup;
import io.facex.api.ProtocolResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a pair list the way FaceX-Zoo does — the dot product of the normalised features, in float32 —
 * and reports its 10-fold accuracy plus what the original lacks: TAR at fixed FARs and the ROC curve.
 * A pair whose image has no feature is left out of the metrics and counted; the others keep their folds.
 * Every listed pair, skipped or not, is reported with its score in {@link ProtocolResult#pairs()}.
 */
public final class Verification {

    /** False accept rates reported when there are enough different-person pairs to measure them. */
    public static final double[] FARS = {1e-1, 1e-2, 1e-3, 1e-4};

    private Verification() {
    }

    /**
     * The scored pairs: float32 cosine, label and fold of each pair that could be scored, how many could
     * not, and the score of every listed pair in list order (NaN for a skipped one).
     */
    public record Scores(float[] scores, boolean[] same, int[] fold, int skipped, float[] listed) {
    }

    public static Scores score(List<Pair> pairs, FeatureLookup features) {
        float[] s = new float[pairs.size()];
        boolean[] same = new boolean[pairs.size()];
        int[] fold = new int[pairs.size()];
        float[] listed = new float[pairs.size()];
        int n = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            float[] a = features.feature(p.image1());
            float[] b = features.feature(p.image2());
            if (a == null || b == null) {
                listed[i] = Float.NaN;
                continue;
            }
            float dot = 0;
            for (int d = 0; d < a.length; d++) {
                dot += a[d] * b[d];
            }
            listed[i] = dot;
            s[n] = dot;
            same[n] = p.same();
            fold[n] = p.fold();
            n++;
        }
        return new Scores(Arrays.copyOf(s, n), Arrays.copyOf(same, n), Arrays.copyOf(fold, n), pairs.size() - n, listed);
    }

    /**
     * What the lists of one protocol add up to (RFW has four): every metric, skipped count, file and pair
     * score, in the order the lists were evaluated.
     */
    public static final class Report {
        private final List<ProtocolResult.Score> scores = new ArrayList<>();
        private final Map<String, Integer> skipped = new LinkedHashMap<>();
        private final Map<String, Path> artifacts = new LinkedHashMap<>();
        private final List<ProtocolResult.PairScore> pairs = new ArrayList<>();

        public ProtocolResult result() {
            return new ProtocolResult(List.copyOf(scores), new LinkedHashMap<>(skipped), new LinkedHashMap<>(artifacts),
                    List.copyOf(pairs));
        }
    }

    /**
     * Every metric of one benchmark (or subset) and every pair's score into {@code report}, the ROC files
     * into {@code dir}.
     *
     * @param benchmark the name in the results, e.g. {@code LFW} or {@code RFW-Asian}
     */
    public static void evaluate(String benchmark, List<Pair> pairs, FeatureLookup features, Path dir, Report report)
            throws IOException {
        Scores s = score(pairs, features);
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            report.pairs.add(new ProtocolResult.PairScore(benchmark, p.image1(), p.image2(), p.same(), s.listed()[i]));
        }
        if (s.skipped() > 0) {
            report.skipped.merge(benchmark + ": pairs with an image that has no feature", s.skipped(), Integer::sum);
        }
        if (s.scores().length == 0) {
            report.scores.add(new ProtocolResult.Score(benchmark, "accuracy", Double.NaN, Double.NaN));
            return;
        }
        TenFold.Result r = TenFold.evaluate(s.scores(), s.same(), s.fold());
        report.scores.add(new ProtocolResult.Score(benchmark, "accuracy", r.mean(), r.stdError()));
        Roc roc = Roc.of(s.scores(), s.same());
        for (double far : FARS) {
            double tar = roc.tarAt(far);
            if (!Double.isNaN(tar)) {
                report.scores.add(new ProtocolResult.Score(benchmark, "TAR@FAR=" + Roc.format(far), tar, Double.NaN));
            }
        }
        String stem = benchmark.replaceAll("[^A-Za-z0-9._-]", "_");
        report.artifacts.put(benchmark + " ROC curve", roc.plot(dir.resolve(stem + "_roc.png"), benchmark));
        report.artifacts.put(benchmark + " ROC points", roc.csv(dir.resolve(stem + "_roc.csv")));
    }

    /** Convenience for one list: a whole {@link ProtocolResult}. */
    public static ProtocolResult evaluate(String benchmark, List<Pair> pairs, FeatureLookup features, Path dir)
            throws IOException {
        Report report = new Report();
        evaluate(benchmark, pairs, features, dir, report);
        return report.result();
    }
}
