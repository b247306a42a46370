package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Partial FC's choice of classes for one pass: every class of the batch, then distinct random others up
 * to {@code rate} of all classes (more when the batch alone has more). Drawn on the host from a seed and
 * the pass number, so the n-th pass draws the same classes in every run and after a resume.
 */
final class ClassSampler {

    private final int numClass;
    private final int sampled;
    private final long seed;
    private long passes;

    ClassSampler(int numClass, double rate, long seed) {
        this.numClass = numClass;
        this.sampled = Math.max(1, (int) Math.min(numClass, Math.ceil(rate * numClass)));
        this.seed = seed;
    }

    long passes() {
        return passes;
    }

    void seek(long passes) {
        this.passes = passes;
    }

    /** The classes of one pass, sorted, and each label's column among them. */
    Draw draw(NDArray labels, NDManager m) {
        long[] y = labels.toLongArray();
        BitSet positive = new BitSet(numClass);
        for (long label : y) {
            if (label < 0 || label >= numClass) {
                throw new IllegalArgumentException("label " + label + " is outside the head's " + numClass + " classes");
            }
            positive.set((int) label);
        }
        int p = positive.cardinality();
        int k = Math.max(sampled, p);
        // Floyd's algorithm: k − p distinct ranks among the numClass − p other classes.
        int others = numClass - p;
        int wanted = k - p;
        BitSet chosen = new BitSet(others);
        SplittableRandom r = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (passes + 1)));
        for (int j = others - wanted; j < others; j++) {
            int t = r.nextInt(j + 1);
            chosen.set(chosen.get(t) ? j : t);
        }
        passes++;
        long[] index = new long[k];
        int n = 0;
        int rank = 0;
        for (int c = 0; c < numClass; c++) {
            if (positive.get(c)) {
                index[n++] = c;
            } else if (chosen.get(rank++)) {
                index[n++] = c;
            }
        }
        long[] targets = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            targets[i] = Arrays.binarySearch(index, y[i]);
        }
        return new Draw(m.create(index), m.create(targets));
    }

    /** One pass's classes (k) int64, the labels' columns among them (B) int64, and the leaf of their rows. */
    static final class Draw {
        private final NDArray index;
        private final NDArray targets;
        private NDArray rows;

        Draw(NDArray index, NDArray targets) {
            this.index = index;
            this.targets = targets;
        }

        NDArray index() {
            return index;
        }

        NDArray targets() {
            return targets;
        }

        NDArray rows() {
            return rows;
        }

        void rows(NDArray rows) {
            this.rows = rows;
        }
    }
}
