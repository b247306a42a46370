package io.facex.tools;

import io.facex.testkit.BenchmarkContract;

/** Decodes a generated list of real JPEGs with OpenCV. */
class LoaderBenchmarkTest extends BenchmarkContract<LoaderBenchmark.Config> {

    LoaderBenchmarkTest() {
        super(new LoaderBenchmark());
    }

    @Override
    protected LoaderBenchmark.Config testConfig() {
        return new LoaderBenchmark.Config(4, 1, 1, 2, "", "");
    }
}
