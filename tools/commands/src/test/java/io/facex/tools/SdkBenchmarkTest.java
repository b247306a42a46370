package io.facex.tools;

import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.core.registry.ServiceLoaderRegistry;
import io.facex.testkit.BenchmarkContract;
import io.facex.testkit.InitialWeights;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
            @SuppressWarnings("unchecked")
            Backbone<Object> net = new ServiceLoaderRegistry(SdkBenchmarkTest.class.getClassLoader()).get(Backbone.class, "MobileFaceNet");
            weights = InitialWeights.write(net, dir.resolve("mobilefacenet.npz"));
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
