package io.facex.api;

/**
 * A throughput measurement run by {@code facex bench NAME}: the training step, the data loader, feature
 * extraction, the 10-fold computation, the MegaFace search, ... Its options are its configuration
 * record, given on the command line ({@code --batch 64}) and bound as strictly as any configuration.
 * Timings are medians of several runs after warm-up, never a single run.
 */
public interface Benchmark<C> extends Plugin<C> {

    /** Runs the measurement and returns its one-line result. */
    BenchmarkResult run(C config, BenchmarkContext context) throws Exception;
}
