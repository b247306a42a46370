package io.facex.core.sdk;

import io.facex.api.Cropper;
import io.facex.api.FaceImage;
import io.facex.api.Plugin;
import io.facex.api.sdk.DetectedFace;
import io.facex.api.sdk.FaceDetector;
import io.facex.api.sdk.LandmarkDetector;
import io.facex.api.sdk.MaskAdder;
import io.facex.api.sdk.MaskedFace;
import io.facex.core.checkpoint.ModelResolver;
import io.facex.core.config.Configs;
import io.facex.core.embed.Embedder;
import io.facex.core.nn.Djl;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.registry.ServiceLoaderRegistry;
import io.facex.data.ImageOps;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * FaceX-Zoo's SDK pipeline as one object: detect faces in a photo, locate landmarks, crop each face to
 * the 112×112 ArcFace template, embed it with a trained backbone, compare two features. Models are
 * loaded once, when the SDK is built; every method may be called from several threads at once (each
 * call switches libtorch's per-thread autograd off first: inference records no graph on any thread).
 *
 * <pre>{@code
 * try (FaceSdk sdk = FaceSdk.builder().recognizer(Path.of("Epoch_17.safetensors")).build()) {
 *     FaceImage photo = sdk.read(Path.of("a.jpg")).image();
 *     DetectedFace face = sdk.detect(photo).get(0);
 *     float[] feature = sdk.embed(sdk.align(photo, face));
 * }
 * }</pre>
 *
 * On a plain class path the plugins are found through {@link java.util.ServiceLoader}; inside the
 * platform the builder is given the container's registry.
 */
public final class FaceSdk implements AutoCloseable {

    /** A plugin bound to its configuration, so that calls need no type witness. */
    private record Bound<C, P extends Plugin<C>>(P plugin, C config) {
        static <C, P extends Plugin<C>> Bound<C, P> of(P plugin, Map<String, Object> overrides) {
            C config = overrides.isEmpty() ? plugin.defaultConfig()
                    : Configs.withOverrides(plugin, plugin.defaultConfig(), overrides);
            plugin.validate(config);
            return new Bound<>(plugin, config);
        }
    }

    private final Bound<?, FaceDetector<?>> detector;
    private final Bound<?, LandmarkDetector<?>> landmarks;
    private final Bound<?, Cropper<?>> cropper;
    private final Bound<?, MaskAdder<?>> masker;
    private final Embedder<?> embedder;
    private final boolean cropEye;
    private final String recognizerName;
    private final double threshold;
    private final long maxPixels;

    /** Where the SDK's plugins come from: a registry, or a benchmark's context ({@code context::plugin}). */
    public interface Plugins {
        <P extends Plugin<?>> P get(Class<P> kind, String name);
    }

    private FaceSdk(Builder b) throws IOException {
        Plugins plugins = b.plugins;
        ModelResolver resolver;
        if (plugins == null) {
            PluginRegistry registry = b.registry != null ? b.registry : new ServiceLoaderRegistry(FaceSdk.class.getClassLoader());
            plugins = registry::get;
            resolver = new ModelResolver(registry);
        } else {
            Plugins lookup = plugins;
            resolver = new ModelResolver(name -> lookup.get(io.facex.api.Backbone.class, name), () -> List.of("(name one with backbone(NAME))"));
        }
        this.detector = bind(plugins.get(FaceDetector.class, b.detector), b.detectorOptions);
        this.landmarks = b.landmarks == null ? null : bind(plugins.get(LandmarkDetector.class, b.landmarks), b.landmarkOptions);
        this.cropper = bind(plugins.get(Cropper.class, b.cropper), Map.of());
        this.masker = b.masker == null ? null : bind(plugins.get(MaskAdder.class, b.masker), b.maskerOptions);
        this.threshold = b.threshold;
        this.maxPixels = b.maxPixels;
        if (b.weights != null) {
            ModelResolver.Resolved<?> model = resolver.resolve(b.weights, b.backbone == null ? "" : b.backbone, null);
            this.embedder = embedder(model, b.weights);
            this.cropEye = model.cropEye();
            this.recognizerName = model.backbone().name() + " (" + b.weights.getFileName() + ")";
        } else {
            this.embedder = null;
            this.cropEye = false;
            this.recognizerName = null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <P extends Plugin<?>> Bound bind(P plugin, Map<String, Object> overrides) {
        return Bound.of((Plugin) plugin, overrides);
    }

    private static <C> Embedder<C> embedder(ModelResolver.Resolved<C> model, Path weights) throws IOException {
        return new Embedder<>(model.backbone(), model.config(), weights);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads a photo (any format OpenCV reads; gray and 4-channel images become BGR); see {@link Photo}. */
    public Photo read(Path file) throws IOException {
        return Photo.read(file, maxPixels);
    }

    /** Faces above the detector's confidence, best first. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public List<DetectedFace> detect(FaceImage image) {
        Objects.requireNonNull(image, "image");
        Djl.noGradOnThisThread();
        return ((FaceDetector) detector.plugin()).detect(image, detector.config());
    }

    /**
     * The landmarks the crop is made from: with a landmark detector, its points truncated to whole pixels
     * as FaceX-Zoo's pipeline does; without one, the detector's five points.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public float[] landmarks(FaceImage image, DetectedFace face) {
        if (landmarks == null) {
            if (face.landmarks() == null || face.landmarks().length != 10) {
                throw new IllegalStateException(detector.plugin().name() + " gives no five landmarks and no landmark "
                        + "detector is configured (FaceSdk.Builder.landmarks)");
            }
            return face.landmarks().clone();
        }
        Djl.noGradOnThisThread();
        float[] points = ((LandmarkDetector) landmarks.plugin()).landmarks(image, face, landmarks.config());
        float[] truncated = new float[points.length];
        for (int i = 0; i < points.length; i++) {
            truncated[i] = (int) points[i];
        }
        return truncated;
    }

    /** The face cropped to the recognition input: 112×112 BGR. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public FaceImage align(FaceImage image, DetectedFace face) {
        return ((Cropper) cropper.plugin()).crop(image, landmarks(image, face), cropper.config());
    }

    /**
     * The photo with a synthetic mask on this face (FMA-3D by default), placed along {@link #landmarks}.
     *
     * @param template the mask template, or {@link MaskAdder#ANY_TEMPLATE} to draw one from the seed
     * @param seed     fixes every random choice: the same photo, face, template and seed give the same pixels
     * @throws io.facex.api.sdk.MaskNotFittedException when the face does not take a mask (profile, off the photo)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public MaskedFace addMask(FaceImage image, DetectedFace face, int template, long seed) {
        if (masker == null) {
            throw new IllegalStateException("no mask adder: build the SDK with masker(name, options)");
        }
        return addMask(image, landmarks(image, face), template, seed);
    }

    /**
     * As above, along landmarks known beforehand (FaceX-Zoo's face-info files, a renderer's own points)
     * instead of the detector's: 10 values (five points) or 212 (PFLD's 106).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public MaskedFace addMask(FaceImage image, float[] landmarks, int template, long seed) {
        if (masker == null) {
            throw new IllegalStateException("no mask adder: build the SDK with masker(name, options)");
        }
        return ((MaskAdder) masker.plugin()).addMask(image, landmarks, template, seed, masker.config());
    }

    /**
     * The L2-normalised feature of an aligned face: its upper half for a model trained on them (crop_eye),
     * else the face resized if the backbone takes another size.
     */
    public float[] embed(FaceImage alignedFace) {
        if (embedder == null) {
            throw new IllegalStateException("no recognition model: build the SDK with recognizer(weights)");
        }
        long h = embedder.faceShape().get(1);
        long w = embedder.faceShape().get(2);
        float[] chw = new float[(int) (3 * h * w)];
        try (Mat m = ImageOps.fromHwc(alignedFace.pixels(), alignedFace.height(), alignedFace.width(), alignedFace.channels())) {
            if (cropEye) {
                try (Mat face = m.rows() == io.facex.data.EyeCrop.FACE && m.cols() == io.facex.data.EyeCrop.FACE ? new Mat(m)
                        : ImageOps.resize(m, io.facex.data.EyeCrop.FACE, io.facex.data.EyeCrop.FACE);
                     Mat upper = io.facex.data.EyeCrop.of(face)) {
                    ImageOps.toChw(upper, chw, 0, true);
                }
            } else if (m.cols() != w || m.rows() != h) {
                try (Mat r = ImageOps.resize(m, (int) w, (int) h)) {
                    ImageOps.toChw(r, chw, 0, true);
                }
            } else {
                ImageOps.toChw(m, chw, 0, true);
            }
        }
        Djl.noGradOnThisThread();
        return embedder.embed(chw, 1, true);
    }

    /** Cosine similarity of two features (their dot product: both are unit length). */
    public double compare(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("features of different lengths: " + a.length + " and " + b.length);
        }
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot;
    }

    /** Same person when the similarity reaches the threshold. */
    public boolean same(double similarity) {
        return similarity >= threshold;
    }

    public double threshold() {
        return threshold;
    }

    /** What the SDK runs, for logs and reports. */
    public Map<String, String> describe() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("detector", detector.plugin().name());
        d.put("landmarks", landmarks == null ? detector.plugin().name() + " (5 points)" : landmarks.plugin().name());
        d.put("cropper", cropper.plugin().name());
        if (masker != null) {
            d.put("masker", masker.plugin().name());
        }
        d.put("recognizer", recognizerName == null ? "none" : recognizerName);
        return d;
    }

    @Override
    public void close() {
        if (embedder != null) {
            embedder.close();
        }
    }

    public static final class Builder {
        private PluginRegistry registry;
        private Plugins plugins;
        private String detector = "RetinaFace";
        private Map<String, Object> detectorOptions = Map.of();
        private String landmarks;
        private Map<String, Object> landmarkOptions = Map.of();
        private String cropper = "FaceRecImageCropper";
        private String masker;
        private Map<String, Object> maskerOptions = Map.of();
        private Path weights;
        private String backbone;
        private double threshold = DEFAULT_THRESHOLD;
        private long maxPixels = io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS;

        private Builder() {
        }

        /** Where plugins come from (default: the class path's {@code META-INF/services}). */
        public Builder registry(PluginRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Plugins from elsewhere than a registry, e.g. a benchmark's context. */
        public Builder plugins(Plugins plugins) {
            this.plugins = plugins;
            return this;
        }

        /** The face detector and options of its configuration (e.g. {@code confidence_threshold}). */
        public Builder detector(String name, Map<String, Object> options) {
            this.detector = name;
            this.detectorOptions = Map.copyOf(options);
            return this;
        }

        /** A landmark detector (e.g. PFLD with its {@code model_path}); by default the detector's five points. */
        public Builder landmarks(String name, Map<String, Object> options) {
            this.landmarks = name;
            this.landmarkOptions = Map.copyOf(options);
            return this;
        }

        /** A mask adder (e.g. {@code FMA-3D} with {@code color_jitter}) for {@link FaceSdk#addMask}; none by default. */
        public Builder masker(String name, Map<String, Object> options) {
            this.masker = name;
            this.maskerOptions = Map.copyOf(options);
            return this;
        }

        public Builder cropper(String name) {
            this.cropper = name;
            return this;
        }

        /** A trained or imported backbone; our checkpoints name theirs, other weights need {@link #backbone}. */
        public Builder recognizer(Path weights) {
            this.weights = weights;
            return this;
        }

        /** The backbone of weights that do not name it (FaceX-Zoo .pt/.pkl, state dicts). */
        public Builder backbone(String name) {
            this.backbone = name;
            return this;
        }

        /** Similarity at and above which two faces are the same person. */
        public Builder threshold(double threshold) {
            if (!(threshold >= -1 && threshold <= 1)) {
                throw new IllegalArgumentException("the threshold is a cosine similarity in [-1, 1], got " + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        /** Photos above this many pixels are decoded reduced (JPEG) or refused. */
        public Builder maxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        public FaceSdk build() throws IOException {
            return new FaceSdk(this);
        }
    }

    /**
     * A starting point only: the right threshold depends on the model. {@code facex eval} reports the one
     * LFW's protocol picks for it.
     */
    public static final double DEFAULT_THRESHOLD = 0.5;
}
