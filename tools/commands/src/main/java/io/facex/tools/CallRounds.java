package io.facex.tools;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Rounds of concurrent calls, as a service sees requests: every round, each of {@code callers} threads
 * makes one call at the same time; a round's rate is calls per second, and every timed call's latency is
 * kept. Warm-up rounds are not timed.
 */
final class CallRounds {

    /** Per timed round, calls per second; per timed call, milliseconds (sorted). */
    record Timing(double[] rates, double[] latenciesMs) {
        double medianLatencyMs() {
            return latenciesMs.length == 0 ? Double.NaN : latenciesMs[latenciesMs.length / 2];
        }
    }

    private CallRounds() {
    }

    static Timing run(int callers, int warmup, int reps, BooleanSupplier stop, Callable<?> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Double> latencies = new ArrayList<>();
        double[] rates = new double[reps];
        int timed = 0;
        try {
            for (int r = 0; r < warmup + reps && !stop.getAsBoolean(); r++) {
                List<Future<Double>> calls = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int t = 0; t < callers; t++) {
                    calls.add(pool.submit(() -> {
                        long s = System.nanoTime();
                        call.call();
                        return (System.nanoTime() - s) / 1e6;
                    }));
                }
                List<Double> round = new ArrayList<>();
                for (Future<Double> f : calls) {
                    round.add(f.get());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (r >= warmup) {
                    rates[timed++] = callers / seconds;
                    latencies.addAll(round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Timing(Arrays.copyOf(rates, timed), latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray());
    }
}
