package io.facex.api;

import java.util.Locale;

/**
 * What a {@link Benchmark} measured, printed as one line that names the figure and its unit:
 * {@code train: training step MobileFaceNet + MV-Softmax, batch 64: 35.8 images/s (median of 10 ...)}.
 *
 * @param figure  what was measured
 * @param value   the headline value, a median
 * @param unit    its unit ({@code images/s}, {@code pairs/s}, {@code scores/s})
 * @param details spread, memory, the CPU other processes took, ...
 */
public record BenchmarkResult(String figure, double value, String unit, String details) {

    /**
     * The median of timed runs, with their count, the warm-up left out and the spread.
     *
     * @param rates one rate per timed run (warm-up runs already left out)
     */
    public static BenchmarkResult median(String figure, String unit, double[] rates, int warmup) {
        if (rates.length == 0) {
            throw new IllegalArgumentException("no timed runs");
        }
        double[] s = rates.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new BenchmarkResult(figure, median, unit, String.format(Locale.ROOT,
                "median of %d runs after %d warm-up; min %s, max %s", n, warmup, number(s[0]), number(s[n - 1])));
    }

    /** The same result with more details after the existing ones (memory, the machine's load). */
    public BenchmarkResult withDetails(String more) {
        return new BenchmarkResult(figure, value, unit, details == null || details.isEmpty() ? more : details + "; " + more);
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** The line {@code facex bench} prints for a benchmark of this name. */
    public String line(String benchmark) {
        return benchmark + ": " + figure + ": " + number(value) + " " + unit + (details == null || details.isEmpty() ? "" : " (" + details + ")");
    }
}
