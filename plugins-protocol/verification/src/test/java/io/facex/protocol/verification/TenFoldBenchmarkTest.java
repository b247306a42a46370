package io.facex.protocol.verification;

import io.facex.testkit.BenchmarkContract;

class TenFoldBenchmarkTest extends BenchmarkContract<TenFoldBenchmark.Config> {

    TenFoldBenchmarkTest() {
        super(new TenFoldBenchmark());
    }

    @Override
    protected TenFoldBenchmark.Config testConfig() {
        return new TenFoldBenchmark.Config(200, 1, 3);
    }
}
