package io.facex.sdk.retinaface;

import io.facex.api.AbstractPlugin;
import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.DetectedFace;
import io.facex.api.sdk.FaceDetector;
import io.facex.weights.WeightsException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FaceX-Zoo's SDK face detector: RetinaFace with a mobilenet-0.25 body ({@code face_detection_1.0},
 * weights bundled) and its handler's pre- and post-processing, plus the five landmarks the network
 * predicts (left eye, right eye, nose, left and right mouth corner), which the original throws away.
 *
 * <p>Thread-safe: the network is built and loaded once per weights file on first use and shared; calls
 * run concurrently, each in its own native memory scope (see {@link LoadedNet}).
 */
public final class RetinaFace extends AbstractPlugin<RetinaFace.Config> implements FaceDetector<RetinaFace.Config> {

    /**
     * FaceX-Zoo's {@code model_meta.json} keys for the detector, plus what a port needs.
     *
     * @param confidenceThreshold keep faces scoring above this (0.7 in face_detection_1.0, 0.4 in the mask scene's 2.0)
     * @param nmsThreshold        suppress boxes overlapping a better one by more than this IoU (0.2, fixed in the original)
     * @param minSizes            anchor sizes per level, two each
     * @param steps               the levels' strides in pixels: the network's, 8, 16, 32
     * @param variance            box and landmark decoding variances
     * @param modelPath           a state dict with the original key names (npz, safetensors); empty: the bundled weights
     * @param maxSide             a longer image side is reduced to this before the network (0: never)
     */
    public record Config(double confidenceThreshold, double nmsThreshold, List<List<Integer>> minSizes,
            List<Integer> steps, List<Double> variance, String modelPath, int maxSide) {
    }

    private final Map<String, LoadedNet> nets = new ConcurrentHashMap<>();

    public RetinaFace() {
        super("RetinaFace", "RetinaFace face detector (mobilenet-0.25, FaceX-Zoo SDK weights): boxes, scores, 5 landmarks",
                Config.class, new Config(0.7, 0.2, List.of(List.of(16, 32), List.of(64, 128), List.of(256, 512)),
                        List.of(8, 16, 32), List.of(0.1, 0.2), "", 1600));
    }

    @Override
    public void validate(Config c) {
        if (!(c.confidenceThreshold() >= 0 && c.confidenceThreshold() < 1)) {
            throw new InvalidConfigException("confidence_threshold", "must be in [0, 1), got " + c.confidenceThreshold());
        }
        if (!(c.nmsThreshold() >= 0 && c.nmsThreshold() <= 1)) {
            throw new InvalidConfigException("nms_threshold", "must be in [0, 1], got " + c.nmsThreshold());
        }
        List<Integer> strides = List.of(8, 16, 32);
        if (!strides.equals(c.steps())) {
            throw new InvalidConfigException("steps", "must be " + strides + ", the strides of the network's three levels, got "
                    + c.steps());
        }
        if (c.minSizes() == null || c.minSizes().size() != 3 || c.minSizes().stream().anyMatch(
                l -> l == null || l.size() != RetinaFaceNet.ANCHORS || l.stream().anyMatch(m -> m == null || m <= 0))) {
            throw new InvalidConfigException("min_sizes", "must be three lists of two positive sizes (one per anchor of"
                    + " each level), got " + c.minSizes());
        }
        if (c.variance() == null || c.variance().size() != 2
                || c.variance().stream().anyMatch(v -> v == null || !(v > 0) || v.isInfinite())) {
            throw new InvalidConfigException("variance", "must be two positive numbers, got " + c.variance());
        }
        if (c.maxSide() < 0) {
            throw new InvalidConfigException("max_side", "must be 0 (never reduce) or a positive size, got " + c.maxSide());
        }
        String path = modelPath(c);
        if (!path.isEmpty() && !Files.isRegularFile(Path.of(path))) {
            throw new InvalidConfigException("model_path", path + ": no such file");
        }
    }

    @Override
    public List<DetectedFace> detect(FaceImage image, Config c) {
        Objects.requireNonNull(image, "image");
        validate(c);
        NetInput input = NetInput.of(image, c.maxSide());
        Decoder.Raw raw = net(c).run(input);
        float[] priors = Decoder.priors(input.width(), input.height(), c.steps(), c.minSizes());
        float[] variance = {c.variance().get(0).floatValue(), c.variance().get(1).floatValue()};
        return Decoder.detect(raw, priors, input.width(), input.height(), variance, (float) c.confidenceThreshold(),
                (float) c.nmsThreshold(), input.scaleX(), input.scaleY());
    }

    /** The network for the configured weights, loaded on first use (a failed load is retried next time). */
    LoadedNet net(Config c) {
        String path = modelPath(c);
        if (path.isEmpty()) {
            return nets.computeIfAbsent("", k -> LoadedNet.bundled());
        }
        Path file = Path.of(path).toAbsolutePath().normalize();
        return nets.computeIfAbsent(file.toString(), k -> {
            try {
                return LoadedNet.load(file);
            } catch (WeightsException | RuntimeException e) {
                InvalidConfigException bad = new InvalidConfigException("model_path", file + ": cannot load RetinaFace"
                        + " weights: " + e.getMessage());
                bad.initCause(e);
                throw bad;
            }
        });
    }

    private static String modelPath(Config c) {
        return c.modelPath() == null ? "" : c.modelPath().trim();
    }
}
