package io.facex.protocol.megaface;

import io.facex.testkit.BenchmarkContract;

class SearchBenchmarkTest extends BenchmarkContract<SearchBenchmark.Config> {

    SearchBenchmarkTest() {
        super(new SearchBenchmark());
    }

    @Override
    protected SearchBenchmark.Config testConfig() {
        return new SearchBenchmark.Config(300, 7, 64, 5, 128, 1, "djl", 2, 1, 1, true);
    }
}
