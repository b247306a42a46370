package io.facex.tools;

import io.facex.testkit.BenchmarkContract;

/** MobileFaceNet's forward pass on random batches. */
class InferBenchmarkTest extends BenchmarkContract<InferBenchmark.Config> {

    InferBenchmarkTest() {
        super(new InferBenchmark());
    }

    @Override
    protected InferBenchmark.Config testConfig() {
        return new InferBenchmark.Config("MobileFaceNet", 2, 1, 2, true);
    }
}
