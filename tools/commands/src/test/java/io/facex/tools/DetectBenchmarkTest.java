package io.facex.tools;

import io.facex.testkit.BenchmarkContract;

/** RetinaFace on a small random image, two callers. */
class DetectBenchmarkTest extends BenchmarkContract<DetectBenchmark.Config> {

    DetectBenchmarkTest() {
        super(new DetectBenchmark());
    }

    @Override
    protected DetectBenchmark.Config testConfig() {
        return new DetectBenchmark.Config("RetinaFace", "", 96, 64, 2, 1, 2);
    }
}
