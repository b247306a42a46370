package io.facex.protocol.verification;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Pairs per second of the 10-fold computation on LFW-sized lists (6,000 scored pairs), median of
 * several runs after warm-up: {@code java -cp 'lib/*:bundles/*' io.facex.protocol.verification.TenFoldBenchmark
 * [--pairs 6000] [--reps 20]}. FaceX-Zoo scans every pair for each of the 1000 thresholds of each fold.
 */
public final class TenFoldBenchmark {

    private TenFoldBenchmark() {
    }

    public static void main(String[] args) {
        int pairs = 6000;
        int reps = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
                case "--reps" -> reps = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--pairs N, --reps N)");
            }
        }
        Random r = new Random(0);
        float[] s = new float[pairs];
        boolean[] same = new boolean[pairs];
        for (int k = 0; k < pairs; k++) {
            same[k] = k % 600 < 300;
            s[k] = (float) (r.nextGaussian() * 0.2 + (same[k] ? 0.5 : 0.1));
        }
        double[] rate = new double[reps];
        for (int i = 0; i < 5 + reps; i++) {
            long t = System.nanoTime();
            TenFold.evaluate(s, same);
            if (i >= 5) {
                rate[i - 5] = pairs / ((System.nanoTime() - t) / 1e9);
            }
        }
        Arrays.sort(rate);
        System.out.printf(Locale.ROOT, "10-fold accuracy of %d pairs: %.0f pairs/s (median of %d runs after 5 warm-up; min %.0f, max %.0f)%n",
                pairs, rate[reps / 2], reps, rate[0], rate[reps - 1]);
    }
}
