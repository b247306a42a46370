package io.facex.tools;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.core.registry.ServiceLoaderRegistry;
import io.facex.nn.TorchNames;
import io.facex.testkit.BenchmarkContract;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK from FaceX-Zoo's test photo to a MobileFaceNet feature, two callers, one timed round. */
class SdkBenchmarkTest extends BenchmarkContract<SdkBenchmark.Config> {

    private static Path photo;
    private static Path weights;

    SdkBenchmarkTest() {
        super(new SdkBenchmark());
    }

    @Override
    protected SdkBenchmark.Config testConfig() {
        prepare();
        return new SdkBenchmark.Config(photo.toString(), weights.toString(), "MobileFaceNet", 2, 1, 1);
    }

    /** The photo out of the test resources, and MobileFaceNet's initial weights as a state dict with FaceX-Zoo's names. */
    private static synchronized void prepare() {
        if (photo != null) {
            return;
        }
        try {
            Path dir = Files.createTempDirectory("sdk-bench");
            photo = dir.resolve("test1.jpg");
            try (InputStream in = SdkBenchmarkTest.class.getResourceAsStream("/facexzoo_test1.jpg")) {
                Files.copy(in, photo);
            }
            weights = dir.resolve("mobilefacenet.npz");
            @SuppressWarnings("unchecked")
            Backbone<Object> net = new ServiceLoaderRegistry(SdkBenchmarkTest.class.getClassLoader()).get(Backbone.class, "MobileFaceNet");
            try (NDManager m = NDManager.newBaseManager()) {
                Block b = net.build(net.defaultConfig());
                b.initialize(m, DataType.FLOAT32, new Shape(1).addAll(net.inputShape(net.defaultConfig())));
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (Pair<String, Parameter> p : b.getParameters()) {
                    tensors.put(TorchNames.toTorch(p.getKey()), Tensor.ofFloats(p.getValue().getArray().toFloatArray(),
                            p.getValue().getArray().getShape().getShape()));
                }
                Npz.write(weights, new StateDict(weights.toString(), tensors));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void withoutWeightsItSaysWhichToGive() {
        prepare();
        io.facex.api.BenchmarkContext context = io.facex.core.registry.PluginRegistry.onClassPath()
                .benchmarkContext(System.out, () -> false);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new SdkBenchmark().run(
                new SdkBenchmark.Config(photo.toString(), "", "", 1, 0, 1), context));
        assertTrue(e.getMessage().contains("--weights"), e.getMessage());
    }
}
