package io.facex.protocol.verification;

/** Counting in an ascending array by binary search: how thresholds are applied without scanning every score. */
final class SortedScores {

    private SortedScores() {
    }

    /**
     * The scores of same-person pairs (index 0) and of different-person pairs (index 1), each ascending,
     * leaving out the pairs of fold {@code excluded} (-1: none).
     */
    static double[][] byLabel(float[] scores, boolean[] same, int[] fold, int excluded) {
        int pos = 0;
        int neg = 0;
        for (int k = 0; k < scores.length; k++) {
            if (fold == null || fold[k] != excluded) {
                if (same[k]) {
                    pos++;
                } else {
                    neg++;
                }
            }
        }
        double[] p = new double[pos];
        double[] q = new double[neg];
        for (int k = 0, i = 0, j = 0; k < scores.length; k++) {
            if (fold == null || fold[k] != excluded) {
                if (same[k]) {
                    p[i++] = scores[k];
                } else {
                    q[j++] = scores[k];
                }
            }
        }
        java.util.Arrays.sort(p);
        java.util.Arrays.sort(q);
        return new double[][] {p, q};
    }

    /** How many values are ≤ t. */
    static int atMost(double[] sorted, double t) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** How many values are &lt; t. */
    static int below(double[] sorted, double t) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
