package io.facex.protocol.verification;

import io.facex.api.AbstractPlugin;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.api.InvalidConfigException;

import java.util.Random;

/**
 * {@code facex bench tenfold}: pairs per second of the 10-fold computation on LFW-sized lists (6,000
 * scored pairs), where FaceX-Zoo scans every pair for each of the 1000 thresholds of each fold.
 */
public final class TenFoldBenchmark extends AbstractPlugin<TenFoldBenchmark.Config>
        implements Benchmark<TenFoldBenchmark.Config> {

    /**
     * @param pairs  scored pairs per list (LFW: 6,000)
     * @param warmup untimed runs first
     * @param reps   timed runs
     */
    public record Config(int pairs, int warmup, int reps) {
    }

    public TenFoldBenchmark() {
        super("tenfold", "10-fold verification accuracy (FaceX-Zoo's thresholds and folds) on an LFW-sized list: "
                + "pairs/s", Config.class,
                new Config(6000, 5, 20));
    }

    @Override
    public void validate(Config c) {
        if (c.pairs() < 20 || c.pairs() % 20 != 0) {
            throw new InvalidConfigException("pairs", "must be a positive multiple of 20 (10 folds of same and different pairs), got " + c.pairs());
        }
        if (c.reps() < 1 || c.warmup() < 0) {
            throw new InvalidConfigException(c.reps() < 1 ? "reps" : "warmup", "reps must be ≥ 1 and warmup ≥ 0");
        }
    }

    @Override
    public BenchmarkResult run(Config c, BenchmarkContext context) {
        Random r = new Random(0);
        float[] s = new float[c.pairs()];
        boolean[] same = new boolean[c.pairs()];
        int fold = c.pairs() / 10;
        for (int k = 0; k < c.pairs(); k++) {
            same[k] = k % fold < fold / 2;
            s[k] = (float) (r.nextGaussian() * 0.2 + (same[k] ? 0.5 : 0.1));
        }
        double[] rate = new double[c.reps()];
        for (int i = 0; i < c.warmup() + c.reps() && !context.stopRequested().getAsBoolean(); i++) {
            long t = System.nanoTime();
            TenFold.evaluate(s, same);
            if (i >= c.warmup()) {
                rate[i - c.warmup()] = c.pairs() / ((System.nanoTime() - t) / 1e9);
            }
        }
        return BenchmarkResult.median("10-fold accuracy of " + c.pairs() + " pairs", "pairs/s", rate, c.warmup());
    }
}
