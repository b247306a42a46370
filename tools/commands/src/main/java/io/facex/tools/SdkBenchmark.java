package io.facex.tools;

import io.facex.api.AbstractPlugin;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.DetectedFace;
import io.facex.core.sdk.FaceSdk;
import io.facex.core.sdk.Photo;
import io.facex.data.ImageHeader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The SDK from photo to feature, as a service calls it: decode the encoded photo, detect, crop the most
 * confident face, embed it. Each of {@code callers} threads does that once per round on the same
 * {@link FaceSdk} (models loaded once); the rate is photos per second.
 */
public final class SdkBenchmark extends AbstractPlugin<SdkBenchmark.Config> implements Benchmark<SdkBenchmark.Config> {

    /**
     * @param image    the photo (JPEG, PNG, ...), decoded in every call
     * @param weights  a recognition model: our checkpoint (e.g. the quickstart's), or other weights with {@code backbone}
     * @param backbone the backbone of weights that do not name it
     */
    public record Config(String image, String weights, String backbone, int callers, int warmup, int reps) {
    }

    public SdkBenchmark() {
        super("sdk", "the face SDK from photo to feature (decode, detect, crop, embed) from N callers: photos/s",
                Config.class, new Config("", "", "", 2, 2, 10));
    }

    @Override
    public void validate(Config c) {
        Checks.positive("callers", c.callers());
        Checks.runs(c.warmup(), c.reps());
    }

    @Override
    public BenchmarkResult run(Config c, BenchmarkContext context) throws Exception {
        if (c.image().isEmpty() || !Files.isRegularFile(Path.of(c.image()))) {
            throw new InvalidConfigException("image", c.image().isEmpty() ? "give a photo with --image FILE"
                    : c.image() + ": no such file");
        }
        if (c.weights().isEmpty()) {
            throw new InvalidConfigException("weights", "give a recognition model with --weights CHECKPOINT (e.g. the one "
                    + "'facex quickstart' trains, quickstart/train/Epoch_4.safetensors)");
        }
        byte[] encoded = Files.readAllBytes(Path.of(c.image()));
        FaceSdk.Builder b = FaceSdk.builder().plugins(context::plugin).recognizer(Path.of(c.weights()));
        if (!c.backbone().isEmpty()) {
            b.backbone(c.backbone());
        }
        try (FaceSdk sdk = b.build()) {
            FaceImage first = Photo.decode(encoded, c.image(), ImageHeader.DEFAULT_MAX_PIXELS).image();
            int faces = sdk.detect(first).size();
            if (faces == 0) {
                throw new InvalidConfigException("image", c.image() + ": no face found, nothing to embed");
            }
            CallRounds.Timing timing = CallRounds.run(c.callers(), c.warmup(), c.reps(), context.stopRequested(), () -> {
                FaceImage photo = Photo.decode(encoded, c.image(), ImageHeader.DEFAULT_MAX_PIXELS).image();
                List<DetectedFace> found = sdk.detect(photo);
                return sdk.embed(sdk.align(photo, found.get(0)));
            });
            String figure = String.format(Locale.ROOT, "photo to feature, %dx%d photo (%d faces, the first embedded), %s, "
                    + "%d callers, libtorch %s threads", first.width(), first.height(), faces, sdk.describe().get("recognizer"),
                    c.callers(), System.getProperty("ai.djl.pytorch.num_threads", "default"));
            return BenchmarkResult.median(figure, "photos/s", timing.rates(), c.warmup()).withDetails(
                    String.format(Locale.ROOT, "median latency %.1f ms per photo", timing.medianLatencyMs()));
        }
    }
}
