package io.facex.protocol.verification;


/**
 * FaceX-Zoo's verification accuracy ({@code test_protocol/lfw/lfw_evaluator.py}), reproduced to the
 * last printed digit: pairs in 10 consecutive folds; for each fold the threshold is chosen on the other
 * nine among {@code min + step·i, i = 1…1000} (first maximum of TPR − FPR) and applied to it; strict
 * comparisons on both sides, so a score equal to the threshold counts as wrong. Precision as numpy 1.x
 * computes it: float32 scores, float32 span and step, float64 thresholds and comparisons.
 *
 * <p>FaceX-Zoo counts, for each of the 1000 thresholds, the scores above it by a full scan; here the
 * scores of the nine folds are sorted once and each count is a binary search — the same comparisons,
 * so the same numbers, in O(n log n).
 */
public final class TenFold {

    /**
     * @param mean     mean fold accuracy
     * @param stdError sample standard deviation of the fold accuracies (ddof 1) divided by √10
     * @param foldAccuracies the ten accuracies
     * @param thresholds     the threshold chosen for each fold
     */
    public record Result(double mean, double stdError, double[] foldAccuracies, double[] thresholds) {
    }

    public static final int FOLDS = 10;
    private static final int THRESHOLDS = 1000;

    private TenFold() {
    }

    /**
     * @param scores cosine similarity of each pair, in the protocol's order
     * @param same   whether each pair shows one person
     */
    public static Result evaluate(float[] scores, boolean[] same) {
        if (scores.length != same.length || scores.length == 0 || scores.length % FOLDS != 0) {
            throw new IllegalArgumentException("10-fold verification needs a pair count divisible by 10, got "
                    + scores.length + " scores and " + same.length + " labels");
        }
        int[] fold = new int[scores.length];
        int size = scores.length / FOLDS;
        for (int k = 0; k < fold.length; k++) {
            fold[k] = k / size;
        }
        return evaluate(scores, same, fold);
    }

    /**
     * With each pair's fold given: the protocol's folds stay the same when pairs whose images could not
     * be read are left out, so the other pairs keep the fold they belong to.
     *
     * @param fold the fold (0–9) of each pair
     */
    public static Result evaluate(float[] scores, boolean[] same, int[] fold) {
        if (scores.length != same.length || scores.length != fold.length) {
            throw new IllegalArgumentException(scores.length + " scores, " + same.length + " labels and "
                    + fold.length + " fold numbers");
        }
        double[] acc = new double[FOLDS];
        double[] thr = new double[FOLDS];
        for (int f = 0; f < FOLDS; f++) {
            thr[f] = bestThreshold(scores, same, fold, f);
            int right = 0;
            int n = 0;
            for (int k = 0; k < scores.length; k++) {
                if (fold[k] != f) {
                    continue;
                }
                n++;
                double s = scores[k];
                if (same[k] ? s > thr[f] : s < thr[f]) {
                    right++;
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException("fold " + (f + 1) + " has no pairs");
            }
            acc[f] = (double) right / n;
        }
        double mean = 0;
        for (double a : acc) {
            mean += a;
        }
        mean /= FOLDS;
        double var = 0;
        for (double a : acc) {
            var += (a - mean) * (a - mean);
        }
        double std = Math.sqrt(var / (FOLDS - 1)) / Math.sqrt(FOLDS);
        return new Result(mean, std, acc, thr);
    }

    /** The threshold chosen on every pair outside fold {@code test}. */
    static double bestThreshold(float[] scores, boolean[] same, int[] fold, int test) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < scores.length; k++) {
            if (fold[k] != test) {
                min = Math.min(min, scores[k]);
                max = Math.max(max, scores[k]);
            }
        }
        double[][] split = SortedScores.byLabel(scores, same, fold, test);
        double[] p = split[0];
        double[] q = split[1];
        int pos = p.length;
        int neg = q.length;
        float step = (max - min) / THRESHOLDS;
        double best = Double.NEGATIVE_INFINITY;
        double bestT = 0;
        for (int i = 1; i <= THRESHOLDS; i++) {
            double t = (double) min + (double) step * i;
            int tp = pos - SortedScores.atMost(p, t);
            int fp = neg - SortedScores.atMost(q, t);
            // numpy divides 0 by 0 into NaN, which never wins; so does Java
            double j = (double) tp / pos - (double) fp / neg;
            if (j > best) {
                best = j;
                bestT = t;
            }
        }
        return bestT;
    }
}
