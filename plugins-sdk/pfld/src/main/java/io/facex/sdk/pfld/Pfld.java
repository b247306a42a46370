package io.facex.sdk.pfld;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.facex.api.AbstractPlugin;
import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.DetectedFace;
import io.facex.api.sdk.LandmarkDetector;
import io.facex.data.ImageOps;
import io.facex.nn.Sequence;
import io.facex.nn.SqueezeExcite;
import io.facex.nn.Torch;
import io.facex.nn.TorchNames;
import io.facex.weights.BlockWeights;
import io.facex.weights.StateDict;
import io.facex.weights.Weights;
import io.facex.weights.WeightsException;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * FaceX-Zoo's SDK landmark model: PFLD's {@code PFLDInference} ({@code models/network_def/mobilev3_pfld.py},
 * a MobileNetV3-like trunk and a multi-scale head, 1,446,268 parameters) with the pre- and postprocessing
 * of its {@code FaceAlignModelHandler}: 106 points, in image pixels, for one detected face.
 *
 * <p>The points are returned as the network places them, fractions of a pixel included. FaceX-Zoo's
 * pipeline truncates them to int32 afterwards, before cropping; that step belongs to the SDK's pipeline,
 * not to the detector.
 *
 * <p>FaceX-Zoo's trained weights ({@code face_landmark_pfld.pkl}) are not distributed with FaceX-J:
 * {@code model_path} names a state dict with FaceX-Zoo's keys ({@code conv_bn1.0.weight}, ...,
 * {@code fc.bias}) as .npz, .safetensors or a PyTorch zip checkpoint.
 */
public final class Pfld extends AbstractPlugin<Pfld.Config> implements LandmarkDetector<Pfld.Config> {

    /**
     * @param modelPath the state dict to load; empty until one is configured
     */
    public record Config(String modelPath) {
    }

    /** The network's input side. */
    public static final int INPUT = 112;
    /** Landmarks per face. */
    public static final int POINTS = 106;

    private final Object lock = new Object();
    private Loaded loaded;

    public Pfld() {
        super("PFLD", "106 facial landmarks of a detected face (FaceX-Zoo SDK's PFLD, 1.4M params; weights from model_path)",
                Config.class, new Config(""));
    }

    @Override
    public void validate(Config c) {
        if (c.modelPath() == null) {
            throw new InvalidConfigException("model_path", "must be a file name, or \"\" until weights are available");
        }
        if (!c.modelPath().isBlank() && !Files.isRegularFile(Path.of(c.modelPath()))) {
            throw new InvalidConfigException("model_path", c.modelPath() + ": no such file");
        }
    }

    @Override
    public float[] landmarks(FaceImage image, DetectedFace face, Config config) {
        validate(config);
        if (config.modelPath().isBlank()) {
            throw new InvalidConfigException("model_path", "PFLD has no weights: set PFLD.model_path to a state dict "
                    + "with FaceX-Zoo's keys (.npz, .safetensors, .pt/.pth). FaceX-Zoo's trained face_landmark_pfld.pkl "
                    + "is not distributed; without it, crop from the face detector's five landmarks instead");
        }
        Crop crop = crop(image, face);
        synchronized (lock) {
            Loaded net = model(Path.of(config.modelPath()));
            return crop.toImage(net.run(crop.chw()));
        }
    }

    /** The cached network, reloaded when the configured file (or its content's time stamp) changes. */
    private Loaded model(Path file) {
        String stamp;
        try {
            stamp = file.toAbsolutePath() + "@" + Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
        } catch (IOException e) {
            throw new InvalidConfigException("model_path", file + ": cannot read (" + e.getMessage() + ")");
        }
        if (loaded == null || !loaded.stamp.equals(stamp)) {
            Loaded next = Loaded.from(file, stamp);
            if (loaded != null) {
                loaded.manager.close();
            }
            loaded = next;
        }
        return loaded;
    }

    /** A network with weights in its own manager. */
    private record Loaded(String stamp, NDManager manager, Block block) {

        static Loaded from(Path file, String stamp) {
            StateDict weights;
            try {
                weights = Weights.load(file).select("");
            } catch (WeightsException e) {
                throw new InvalidConfigException("model_path", "cannot load " + file + ": " + e.getMessage());
            }
            NDManager manager = NDManager.newBaseManager();
            try {
                Block block = network();
                block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, INPUT, INPUT));
                BlockWeights.apply(block, weights, TorchNames::toTorch);
                return new Loaded(stamp, manager, block);
            } catch (WeightsException e) { // names the file and every missing, unexpected or mis-shaped key
                manager.close();
                throw new InvalidConfigException("model_path", e.getMessage());
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        float[] run(float[] chw) {
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(chw, new Shape(1, 3, INPUT, INPUT));
                return block.forward(new ParameterStore(step, false), new NDList(x), false).singletonOrThrow().toFloatArray();
            }
        }
    }

    // ---- preprocessing and postprocessing (FaceAlignModelHandler)

    /**
     * The network's input for one face and where it came from: a square of {@code size} pixels whose
     * top-left corner is ({@code x}, {@code y}) in the photo (possibly outside it).
     *
     * @param chw 3×112×112 floats, BGR, values / 255
     */
    public record Crop(float[] chw, int x, int y, int size) {

        /** Network output (fractions of the square, x, y pairs) to photo pixels: {@code out·size + (x, y)}. */
        public float[] toImage(float[] out) {
            if (out.length != 2 * POINTS) {
                throw new IllegalArgumentException("expected " + 2 * POINTS + " network outputs, got " + out.length);
            }
            float[] points = new float[out.length];
            for (int i = 0; i < POINTS; i++) {
                points[2 * i] = (float) ((double) out[2 * i] * size + x);
                points[2 * i + 1] = (float) ((double) out[2 * i + 1] * size + y);
            }
            return points;
        }
    }

    /**
     * FaceX-Zoo's {@code _preprocess}: a square 1.2 times the box's longer side, centred on the box's centre
     * (float32 arithmetic, truncated to int), cut from the photo with black where it leaves the photo,
     * resized bilinearly to 112×112 and scaled to [0, 1], channels still BGR. A square wholly outside the
     * photo gives a black input (FaceX-Zoo fails on an empty slice there).
     */
    public static Crop crop(FaceImage image, DetectedFace face) {
        float w = face.x2() - face.x1() + 1f;
        float h = face.y2() - face.y1() + 1f;
        if (!(w > 0 && h > 0) || !Float.isFinite(w) || !Float.isFinite(h)) {
            throw new IllegalArgumentException("not a face box: (" + face.x1() + ", " + face.y1() + ", " + face.x2()
                    + ", " + face.y2() + ")");
        }
        int cx = (int) (face.x1() + w / 2f);
        int cy = (int) (face.y1() + h / 2f);
        int size = (int) (Math.max(w, h) * 1.2); // numpy: float32 max times a Python float is float64
        // The padded square is allocated whole (OpenCV's resize of it is what FaceX-Zoo computes), so a box
        // far larger than the photo is refused rather than allowed to claim gigabytes.
        if (size < 1 || size > 4 * Math.max(image.width(), image.height())) {
            throw new IllegalArgumentException("face box (" + face.x1() + ", " + face.y1() + ", " + face.x2() + ", "
                    + face.y2() + ") gives a " + size + "-pixel square for a " + image.width() + "x" + image.height()
                    + " image");
        }
        int x = cx - size / 2;
        int y = cy - size / 2;
        byte[] square = square(image, x, y, size);
        float[] chw = new float[3 * INPUT * INPUT];
        try (Mat m = ImageOps.fromHwc(square, size, size, 3); Mat small = ImageOps.resize(m, INPUT, INPUT)) {
            byte[] hwc = ImageOps.toHwc(small);
            int plane = INPUT * INPUT;
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    chw[c * plane + p] = (hwc[3 * p + c] & 0xff) / 255f;
                }
            }
        }
        return new Crop(chw, x, y, size);
    }

    /** The size×size square at (x, y) as BGR bytes, black outside the photo; a gray photo is spread to BGR. */
    private static byte[] square(FaceImage image, int x, int y, int size) {
        byte[] out = new byte[3 * size * size];
        int c = image.channels();
        int x0 = Math.max(0, x), x1 = Math.min(image.width(), x + size);
        int y0 = Math.max(0, y), y1 = Math.min(image.height(), y + size);
        for (int row = y0; row < y1; row++) {
            int dst = 3 * ((row - y) * size + (x0 - x));
            int src = c * (row * image.width() + x0);
            if (c == 3) {
                System.arraycopy(image.pixels(), src, out, dst, 3 * (x1 - x0));
            } else {
                for (int i = 0; i < x1 - x0; i++) {
                    byte v = image.pixels()[src + i];
                    out[dst + 3 * i] = v;
                    out[dst + 3 * i + 1] = v;
                    out[dst + 3 * i + 2] = v;
                }
            }
        }
        return out;
    }

    // ---- the network (PFLDInference, eval mode)

    /**
     * {@code PFLDInference} in DJL blocks, children named after its modules so every parameter's path maps
     * onto its state-dict key ({@link TorchNames}). Input (N, 3, 112, 112), output the landmarks (N, 212);
     * the original's other output (the auxiliary features) is only used in training and is not returned.
     */
    public static Block network() {
        return new Net();
    }

    /** One row of the trunk: in, out, kernel, stride, expansion, squeeze-excite, hard-swish (else ReLU). */
    private record Stage(String name, int in, int out, int kernel, int stride, int exp, boolean se, boolean hswish) {
    }

    private static final List<Stage> TRUNK = List.of(
            new Stage("conv_bn2", 16, 16, 3, 1, 16, false, false),
            new Stage("conv3_1", 16, 24, 3, 2, 64, false, false),
            new Stage("block3_2", 24, 24, 3, 1, 72, false, false),
            new Stage("block3_3", 24, 40, 5, 2, 72, true, false),
            new Stage("block3_4", 40, 40, 5, 1, 120, true, false),
            new Stage("block3_5", 40, 40, 5, 1, 120, true, false),
            new Stage("conv4_1", 40, 80, 3, 2, 240, false, false),
            new Stage("conv5_1", 80, 80, 3, 1, 200, false, true),
            new Stage("block5_2", 80, 112, 3, 1, 480, true, true),
            new Stage("block5_3", 112, 112, 3, 1, 672, true, true),
            new Stage("block5_4", 112, 160, 3, 1, 672, true, true),
            new Stage("conv6_1", 160, 16, 3, 1, 320, false, true));

    /** The trunk, then the head's three scales (14×14 pooled, 7×7 pooled, a 7×7 conv) into one linear layer. */
    private static final class Net extends AbstractBlock {

        private final List<Block> trunk = new java.util.ArrayList<>();
        private final Block conv7;
        private final Block conv8;
        private final Block fc;

        Net() {
            super((byte) 1);
            // The trunk's modules are the original's top-level attributes, so they are added to this block
            // directly (not under a "trunk" level): their keys are conv_bn1.0.weight, conv3_1.conv.0.weight, ...
            trunk.add(addChildBlock("conv_bn1", new Sequence()
                    .add("0", Torch.conv(16, 3, 1, 1, 1, false))
                    .add("1", Torch.batchNorm())
                    .add("2", Torch.hardSwish())));
            for (Stage s : TRUNK) {
                trunk.add(addChildBlock(s.name(), bottleneck(s)));
            }
            conv7 = addChildBlock("conv7", Torch.conv(32, 3, 2, 1, 1, true));
            conv8 = addChildBlock("conv8", Torch.conv(128, 7, 1, 0, 1, true));
            fc = addChildBlock("fc", Torch.linear(2 * POINTS, true));
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList current = inputs;
            for (Block b : trunk) {
                current = b.forward(store, current, training, params);
            }
            NDArray x = current.singletonOrThrow();
            long n = x.getShape().get(0);
            NDArray x1 = pool(x, 14).reshape(n, -1);
            NDArray y = conv7.forward(store, new NDList(x), training, params).singletonOrThrow();
            NDArray x2 = pool(y, 7).reshape(n, -1);
            NDArray x3 = conv8.forward(store, new NDList(y), training, params).singletonOrThrow().reshape(n, -1);
            return fc.forward(store, new NDList(NDArrays.concat(new NDList(x1, x2, x3), 1)), training, params);
        }

        /** {@code nn.AvgPool2d(k)}: stride k, no padding. */
        private static NDArray pool(NDArray x, int k) {
            return Pool.avgPool2d(x, new Shape(k, k), new Shape(k, k), new Shape(0, 0), false, true);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape[] shapes = inputShapes;
            for (Block b : trunk) {
                b.initialize(manager, dataType, shapes);
                shapes = b.getOutputShapes(shapes);
            }
            conv7.initialize(manager, dataType, shapes);
            Shape[] seven = conv7.getOutputShapes(shapes);
            conv8.initialize(manager, dataType, seven);
            long n = inputShapes[0].get(0);
            long features = shapes[0].get(1) + seven[0].get(1) + conv8.getOutputShapes(seven)[0].get(1);
            fc.initialize(manager, dataType, new Shape(n, features));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), 2 * POINTS)};
        }
    }

    /**
     * {@code MobileBottleneck}: 1×1 expansion + BN + activation, depthwise k×k + BN, squeeze-excite (or
     * the original's parameterless {@code Identity} at index 5), activation, 1×1 projection + BN; the input
     * is added back when the shape is kept.
     */
    private static Block bottleneck(Stage s) {
        Sequence conv = new Sequence()
                .add("0", Torch.conv(s.exp(), 1, 1, 0, 1, false))
                .add("1", Torch.batchNorm())
                .add("2", activation(s.hswish()))
                .add("3", Torch.conv(s.exp(), s.kernel(), s.stride(), (s.kernel() - 1) / 2, s.exp(), false))
                .add("4", Torch.batchNorm());
        if (s.se()) {
            conv.add("5", squeezeExcite(s.exp()));
        }
        conv.add("6", activation(s.hswish()))
                .add("7", Torch.conv(s.out(), 1, 1, 0, 1, false))
                .add("8", Torch.batchNorm());
        return new Sequence(s.stride() == 1 && s.in() == s.out()).add("conv", conv);
    }

    private static Block activation(boolean hswish) {
        return hswish ? Torch.hardSwish() : Torch.relu();
    }

    /** {@code SEModule}: mean over H, W, then fc = Linear(C, C/4), ReLU, Linear(C/4, C) (no biases), hard sigmoid. */
    private static Block squeezeExcite(int channels) {
        return new SqueezeExcite(SqueezeExcite.HARD_SIGMOID).add("fc", new Sequence()
                .add("flatten", Blocks.batchFlattenBlock())
                .add("0", Torch.linear(channels / 4, false))
                .add("1", Torch.relu())
                .add("2", Torch.linear(channels, false))
                .add("unflatten", LambdaBlock.singleton(a -> a.reshape(a.getShape().get(0), channels, 1, 1), "unflatten")));
    }
}
