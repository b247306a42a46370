package io.facex.core.train;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.TrainingContext;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** The platform's {@link TrainingContext}: resolved plugins with bound configurations, data, output. */
final class JobContext<B, H> implements TrainingContext {

    private final Backbone<B> backbone;
    private final B backboneConfig;
    private final Head<H> head;
    private final H headConfig;
    private final TrainingData data;
    private final Path outDir;
    private final Path resume;
    private final Path initial;
    private final TrainingListener listener;
    private final BooleanSupplier stop;

    JobContext(Backbone<B> backbone, B backboneConfig, Head<H> head, H headConfig, TrainingData data, Path outDir,
               Path resume, Path initial, TrainingListener listener, BooleanSupplier stop) {
        this.initial = initial;
        this.backbone = backbone;
        this.backboneConfig = backboneConfig;
        this.head = head;
        this.headConfig = headConfig;
        this.data = data;
        this.outDir = outDir;
        this.resume = resume;
        this.listener = listener;
        this.stop = stop;
    }

    @Override
    public Block newBackbone() {
        return backbone.build(backboneConfig);
    }

    @Override
    public Block newHead() {
        return head.build(headConfig);
    }

    @Override
    public Shape inputShape() {
        return backbone.inputShape(backboneConfig);
    }

    @Override
    public TrainingData data() {
        return data;
    }

    @Override
    public Path outputDirectory() {
        return outDir;
    }

    @Override
    public Optional<Path> resumeFrom() {
        return Optional.ofNullable(resume);
    }

    @Override
    public Optional<Path> initialWeights() {
        return Optional.ofNullable(initial);
    }

    @Override
    public TrainingListener listener() {
        return listener;
    }

    @Override
    public boolean stopRequested() {
        return stop.getAsBoolean();
    }
}
