package io.facex.tools;

import io.facex.testkit.BenchmarkContract;

/** Times the real conventional step of MobileFaceNet + MV-Softmax (half its classes sampled), found on the class path by name. */
class TrainBenchmarkTest extends BenchmarkContract<TrainBenchmark.Config> {

    TrainBenchmarkTest() {
        super(new TrainBenchmark());
    }

    @Override
    protected TrainBenchmark.Config testConfig() {
        return new TrainBenchmark.Config("MobileFaceNet", "MV-Softmax", "conventional", 2, 10, 1, 2, 0.5, "");
    }
}
