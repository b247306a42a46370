package io.facex.api;

import io.facex.api.sdk.FaceDetector;
import io.facex.api.sdk.FaceRecognizer;
import io.facex.api.sdk.LandmarkDetector;
import io.facex.api.sdk.MaskAdder;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of plugin the platform knows. Each kind is one SPI interface; a plugin class is published
 * for a kind by listing it in {@code META-INF/services/<interface name>}.
 *
 * @param id      the word used on the command line and in listings ({@code backbone}, {@code head}, ...)
 * @param type    the SPI interface
 */
public record PluginKind(String id, Class<? extends Plugin<?>> type) {

    public static final PluginKind BACKBONE = new PluginKind("backbone", cast(Backbone.class));
    public static final PluginKind HEAD = new PluginKind("head", cast(Head.class));
    public static final PluginKind TRAINING_MODE = new PluginKind("training-mode", cast(TrainingMode.class));
    public static final PluginKind TEST_PROTOCOL = new PluginKind("test-protocol", cast(TestProtocol.class));
    public static final PluginKind CROPPER = new PluginKind("cropper", cast(Cropper.class));
    public static final PluginKind FACE_DETECTOR = new PluginKind("face-detector", cast(FaceDetector.class));
    public static final PluginKind LANDMARK_DETECTOR = new PluginKind("landmark-detector", cast(LandmarkDetector.class));
    public static final PluginKind FACE_RECOGNIZER = new PluginKind("face-recognizer", cast(FaceRecognizer.class));
    public static final PluginKind MASK_ADDER = new PluginKind("mask-adder", cast(MaskAdder.class));
    public static final PluginKind BENCHMARK = new PluginKind("benchmark", cast(Benchmark.class));

    private static final List<PluginKind> ALL = List.of(BACKBONE, HEAD, TRAINING_MODE, TEST_PROTOCOL, CROPPER,
            FACE_DETECTOR, LANDMARK_DETECTOR, FACE_RECOGNIZER, MASK_ADDER, BENCHMARK);

    /** Every kind, in listing order. */
    public static List<PluginKind> values() {
        return ALL;
    }

    /** The kind with this id (case-insensitive), or of this SPI interface name. */
    public static Optional<PluginKind> of(String idOrInterface) {
        String key = idOrInterface.toLowerCase(Locale.ROOT);
        return ALL.stream()
                .filter(k -> k.id.equals(key) || k.type.getName().toLowerCase(Locale.ROOT).equals(key))
                .findFirst();
    }

    /** The kind a plugin instance belongs to (the first SPI it implements). */
    public static Optional<PluginKind> of(Plugin<?> plugin) {
        return ALL.stream().filter(k -> k.type.isInstance(plugin)).findFirst();
    }

    /** The services file that publishes plugins of this kind. */
    public String servicesEntry() {
        return "META-INF/services/" + type.getName();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<? extends Plugin<?>> cast(Class c) {
        return c;
    }
}
