package io.facex.tools;

import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.core.registry.PluginRegistry;
import io.facex.testkit.BenchmarkContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MobileFaceNet's forward pass on random batches. */
class InferBenchmarkTest extends BenchmarkContract<InferBenchmark.Config> {

    InferBenchmarkTest() {
        super(new InferBenchmark());
    }

    @Override
    protected InferBenchmark.Config testConfig() {
        return new InferBenchmark.Config("MobileFaceNet", 2, 1, 2, true, "");
    }

    /** --profile: libtorch's trace of the timed passes, and its ops by self time, the convolutions among them. */
    @Test
    void aProfileSaysWhereTheTimeWent(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("infer.json");
        BenchmarkContext context = PluginRegistry.onClassPath().benchmarkContext(System.out, () -> false);
        BenchmarkResult r = new InferBenchmark().run(new InferBenchmark.Config("MobileFaceNet", 2, 1, 2, false, trace.toString()),
                context);
        assertTrue(r.value() > 0, r.toString());
        assertTrue(Files.size(trace) > 0);
        List<String> csv = Files.readAllLines(dir.resolve("infer.json.csv"));
        assertEquals("op,calls,self ms,share", csv.get(0));
        assertTrue(csv.stream().anyMatch(l -> l.contains("convolution")), String.join("\n", csv.subList(0, Math.min(12, csv.size()))));
        // unfolded: two passes of MobileFaceNet's 50 BatchNorms
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("aten::batch_norm,100,")), String.join("\n", csv));
        double share = 0;
        for (String line : csv.subList(1, csv.size())) {
            share += Double.parseDouble(line.substring(line.lastIndexOf(',') + 1).replace(" %", ""));
        }
        assertEquals(100, share, 0.5);
        assertTrue(Files.readString(dir.resolve("infer.json.md")).startsWith("| op"));
    }
}
