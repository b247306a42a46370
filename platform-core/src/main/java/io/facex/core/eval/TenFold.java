package io.facex.core.eval;

/**
 * FaceX-Zoo's verification accuracy ({@code test_protocol/lfw/lfw_evaluator.py}), reproduced to the
 * last printed digit: pairs in 10 consecutive folds; for each fold the threshold is chosen on the other
 * nine among {@code min + step·i, i = 1…1000} (first maximum of TPR − FPR) and applied to it; strict
 * comparisons on both sides, so a score equal to the threshold counts as wrong. Precision as numpy 1.x
 * computes it: float32 scores, float32 span and step, float64 thresholds and comparisons.
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

    private static final int FOLDS = 10;
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
        int foldSize = scores.length / FOLDS;
        double[] acc = new double[FOLDS];
        double[] thr = new double[FOLDS];
        for (int f = 0; f < FOLDS; f++) {
            int lo = f * foldSize;
            int hi = lo + foldSize;
            thr[f] = bestThreshold(scores, same, lo, hi);
            int right = 0;
            for (int k = lo; k < hi; k++) {
                double s = scores[k];
                if (same[k] ? s > thr[f] : s < thr[f]) {
                    right++;
                }
            }
            acc[f] = (double) right / foldSize;
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

    /** The threshold chosen on every pair outside [skipLo, skipHi). */
    static double bestThreshold(float[] scores, boolean[] same, int skipLo, int skipHi) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        int pos = 0;
        int neg = 0;
        for (int k = 0; k < scores.length; k++) {
            if (k >= skipLo && k < skipHi) {
                continue;
            }
            min = Math.min(min, scores[k]);
            max = Math.max(max, scores[k]);
            if (same[k]) {
                pos++;
            } else {
                neg++;
            }
        }
        float step = (max - min) / THRESHOLDS;
        double best = Double.NEGATIVE_INFINITY;
        double bestT = 0;
        for (int i = 1; i <= THRESHOLDS; i++) {
            double t = (double) min + (double) step * i;
            int tp = 0;
            int fp = 0;
            for (int k = 0; k < scores.length; k++) {
                if (k >= skipLo && k < skipHi) {
                    continue;
                }
                if (scores[k] > t) {
                    if (same[k]) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
            }
            double j = (double) tp / pos - (double) fp / neg;
            if (j > best) {
                best = j;
                bestT = t;
            }
        }
        return bestT;
    }
}
