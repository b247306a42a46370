package io.facex.tools;

import io.facex.testkit.BenchmarkContract;

/** Extracts features of generated JPEGs with MobileFaceNet in eval mode. */
class ExtractBenchmarkTest extends BenchmarkContract<ExtractBenchmark.Config> {

    ExtractBenchmarkTest() {
        super(new ExtractBenchmark());
    }

    @Override
    protected ExtractBenchmark.Config testConfig() {
        return new ExtractBenchmark.Config("MobileFaceNet", 2, 1, false, 0, 2);
    }
}
