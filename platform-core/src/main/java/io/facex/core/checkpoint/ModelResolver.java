package io.facex.core.checkpoint;

import io.facex.api.Backbone;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.core.registry.PluginRegistry;
import io.facex.weights.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which backbone, with which configuration, a weights file is evaluated or embedded with. Our
 * checkpoints say so themselves; FaceX-Zoo's {@code .pt}, bare state dicts and checkpoints written
 * before checkpoints named their model need the backbone named ({@code -b}).
 */
public final class ModelResolver {

    /**
     * A backbone plugin with its bound configuration.
     *
     * @param cropEye the model takes upper-half faces ({@link io.facex.data.EyeCrop}): evaluate and embed it on them
     */
    public record Resolved<C>(Backbone<C> backbone, C config, String origin, boolean cropEye) {
    }

    private final java.util.function.Function<String, Backbone<?>> backbones;
    private final java.util.function.Supplier<java.util.List<String>> installed;

    public ModelResolver(PluginRegistry registry) {
        this(name -> registry.get(Backbone.class, name), () -> registry.list().stream()
                .filter(p -> p.plugin() instanceof Backbone<?>).map(p -> p.name()).toList());
    }

    /**
     * @param backbones the backbone plugin of a name (or preset)
     * @param installed the backbones' names, for the message when a file names none
     */
    public ModelResolver(java.util.function.Function<String, Backbone<?>> backbones,
                         java.util.function.Supplier<java.util.List<String>> installed) {
        this.backbones = backbones;
        this.installed = installed;
    }

    /**
     * @param named        the backbone the user named, or "" to take the checkpoint's
     * @param backboneConf a file with a section for the backbone, or null
     */
    public Resolved<?> resolve(Path weights, String named, Path backboneConf) throws IOException {
        return resolve(weights, named, backboneConf, null);
    }

    /**
     * @param cropEye what the user said of the crop: true or false, or null to take the checkpoint's (full
     *                faces for files that do not say); a checkpoint that records the other is refused
     */
    public Resolved<?> resolve(Path weights, String named, Path backboneConf, Boolean cropEye) throws IOException {
        Optional<Checkpoint.Model> described = describedModel(weights);
        boolean crop = cropEye != null && cropEye;
        if (described.isPresent()) {
            boolean recorded = described.get().cropEye();
            if (cropEye != null && cropEye != recorded) {
                throw new IllegalArgumentException(weights + " was trained on " + (recorded
                        ? "upper-half faces (crop_eye: true in its metadata), not full faces: drop the crop_eye setting"
                        : "full faces (crop_eye: false in its metadata), not upper halves: drop --crop_eye")
                        + " (the checkpoint says how it was trained)");
            }
            crop = recorded;
        }
        String name;
        if (!named.isEmpty()) {
            if (described.isPresent() && !described.get().backbone().equals(named)) {
                throw new IllegalArgumentException(weights + " holds a " + described.get().backbone()
                        + " backbone, not " + named + " (drop -b: the checkpoint names its backbone)");
            }
            name = named;
        } else if (described.isPresent()) {
            name = described.get().backbone();
        } else {
            throw new IllegalArgumentException(weights + " does not say which backbone it holds (FaceX-Zoo .pt files, "
                    + "state dicts and checkpoints written before checkpoints named their model do not): give -b NAME; "
                    + "installed backbones: " + String.join(", ", installed.get()));
        }
        Resolved<?> r = bind(backbones.apply(name), weights, described, backboneConf, crop);
        if (crop) {
            checkCrop(r, weights);
        }
        return r;
    }

    private static <C> void checkCrop(Resolved<C> r, Path weights) {
        ai.djl.ndarray.types.Shape in = r.backbone().inputShape(r.config());
        String mismatch = io.facex.data.EyeCrop.mismatch((int) in.get(2), (int) in.get(1));
        if (mismatch != null) {
            throw new IllegalArgumentException(weights + ": " + mismatch + "; " + r.backbone().name() + " is configured by "
                    + r.origin() + " as " + Configs.toJson(r.config()));
        }
    }

    private static <C> Resolved<C> bind(Backbone<C> backbone, Path weights, Optional<Checkpoint.Model> described,
                                        Path backboneConf, boolean crop) {
        if (backboneConf != null) {
            return new Resolved<>(backbone, Configs.bind(backbone, ConfigDocument.read(backboneConf), backbone.name()),
                    backboneConf.toString(), crop);
        }
        if (described.isPresent()) {
            String source = weights + " (" + Checkpoint.BACKBONE_CONFIG + ")";
            return new Resolved<>(backbone, Configs.fromJson(backbone, described.get().backboneConfigJson(), source),
                    weights.toString(), crop);
        }
        return new Resolved<>(backbone, backbone.defaultConfig(), "defaults", crop);
    }

    /** What a checkpoint says about its model; nothing for other formats. */
    public static Optional<Checkpoint.Model> describedModel(Path weights) throws IOException {
        if (!weights.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(Checkpoint.EXTENSION)) {
            return Optional.empty();
        }
        return Checkpoint.model(Safetensors.metadata(weights));
    }
}
