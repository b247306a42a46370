package io.facex.tools;

import io.facex.api.AbstractPlugin;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.FaceDetector;
import io.facex.data.ImageOps;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * A face detector on one photo: every round, each of {@code callers} threads detects once on the same
 * detector at the same time; the rate is images per second of the round. libtorch's own threads are the
 * launcher's {@code --threads}. The photo is decoded and resized once, beforehand, so only detection is
 * timed (preprocessing, network, decoding, NMS).
 */
public final class DetectBenchmark extends AbstractPlugin<DetectBenchmark.Config> implements Benchmark<DetectBenchmark.Config> {

    /**
     * @param detector a face detector's name, at its default configuration
     * @param image    a photo, resized to width × height; empty: random pixels of that size
     * @param callers  threads detecting at once
     * @param warmup   untimed rounds first
     * @param reps     timed rounds
     */
    public record Config(String detector, String image, int width, int height, int callers, int warmup, int reps) {
    }

    public DetectBenchmark() {
        super("detect", "a face detector on one photo (preprocess, network, decode, NMS) from N callers: images/s",
                Config.class, new Config("RetinaFace", "", 640, 480, 2, 2, 10));
    }

    @Override
    public void validate(Config c) {
        Checks.positive("width", c.width());
        Checks.positive("height", c.height());
        Checks.positive("callers", c.callers());
        Checks.runs(c.warmup(), c.reps());
    }

    @Override
    @SuppressWarnings("unchecked")
    public BenchmarkResult run(Config c, BenchmarkContext context) throws Exception {
        FaceDetector<Object> detector = context.plugin(FaceDetector.class, c.detector());
        FaceImage img = image(c);
        Object config = detector.defaultConfig();
        int faces = detector.detect(img, config).size(); // loads the model outside the timing
        CallRounds.Timing timing = CallRounds.run(c.callers(), c.warmup(), c.reps(), context.stopRequested(),
                () -> detector.detect(img, config));
        String figure = String.format(Locale.ROOT, "%s on a %dx%d %s (%d faces), %d callers, libtorch %s threads",
                detector.name(), img.width(), img.height(), c.image().isEmpty() ? "random image" : "photo", faces,
                c.callers(), System.getProperty("ai.djl.pytorch.num_threads", "default"));
        BenchmarkResult result = BenchmarkResult.median(figure, "images/s", timing.rates(), c.warmup());
        return timing.latenciesMs().length == 0 ? result : result.withDetails(String.format(Locale.ROOT,
                "median latency %.1f ms per call", timing.medianLatencyMs()));
    }

    private static FaceImage image(Config c) throws IOException {
        if (c.image().isEmpty()) {
            byte[] px = new byte[c.width() * c.height() * 3];
            new Random(1).nextBytes(px);
            return new FaceImage(c.width(), c.height(), 3, px);
        }
        Path file = Path.of(c.image());
        if (!file.toFile().isFile()) {
            throw new InvalidConfigException("image", file + ": no such file");
        }
        try (Mat m = ImageOps.read(file); Mat r = ImageOps.resize(m, c.width(), c.height())) {
            return new FaceImage(r.cols(), r.rows(), 3, ImageOps.toHwc(r));
        }
    }
}
