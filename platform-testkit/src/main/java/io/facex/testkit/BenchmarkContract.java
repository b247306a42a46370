package io.facex.testkit;

import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.core.registry.PluginRegistry;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of a {@link Benchmark}: {@link PluginContract}'s checks, and a run on {@link #testConfig}
 * (override it with a tiny one) gives one line naming a figure, a positive finite median and its unit
 * per second. Plugins it asks for by name come from the test class path.
 *
 * @param <C> the benchmark's configuration type
 */
public abstract class BenchmarkContract<C> extends PluginContract<C> {

    private final Benchmark<C> benchmark;

    protected BenchmarkContract(Benchmark<C> benchmark) {
        super(benchmark);
        this.benchmark = benchmark;
    }

    @Test
    public void aRunGivesOneLineWithAFigureAndItsUnit() throws Exception {
        BenchmarkContext context = PluginRegistry.onClassPath().benchmarkContext(System.out, () -> false);
        BenchmarkResult r = benchmark.run(testConfig(), context);
        String line = r.line(benchmark.name());
        assertFalse(r.figure().isBlank(), line);
        assertTrue(r.value() > 0 && Double.isFinite(r.value()), line);
        assertTrue(r.unit().endsWith("/s"), "a throughput: " + line);
        assertFalse(line.contains("\n"), "one line: " + line);
        assertTrue(line.startsWith(benchmark.name() + ": " + r.figure() + ": "), line);
    }
}
