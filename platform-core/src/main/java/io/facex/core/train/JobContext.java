package io.facex.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.TrainingContext;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;
import io.facex.api.InvalidConfigException;
import io.facex.nn.CosineClassifier;
import io.facex.nn.TorchNames;
import io.facex.weights.BlockWeights;
import io.facex.weights.LoadReport;
import io.facex.weights.StateDict;
import io.facex.weights.Weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The platform's {@link TrainingContext}: resolved plugins with bound configurations, blocks built,
 * sized and initialised here (so every mode gets them the same way), starting weights applied.
 */
final class JobContext<B, H> implements TrainingContext {

    private final Backbone<B> backbone;
    private final B backboneConfig;
    private final Head<H> head;
    private final H headConfig;
    private final HeadSize headSize;
    private final double sampleRate;
    private final long seed;
    private final TrainingData data;
    private final Path outDir;
    private final Path initial;
    private final TrainingListener listener;
    private final NDManager manager;
    /** Initialisation shapes: the batch dimension never reaches a parameter, but DJL wants one. */
    private final int batch;
    private StateDict initialWeights;

    JobContext(Backbone<B> backbone, B backboneConfig, Head<H> head, H headConfig, HeadSize headSize,
               double sampleRate, long seed, TrainingData data, int batchSize, Path outDir, Path initial, TrainingListener listener,
               NDManager manager) {
        this.backbone = backbone;
        this.backboneConfig = backboneConfig;
        this.head = head;
        this.headConfig = headConfig;
        this.headSize = headSize;
        this.sampleRate = sampleRate;
        this.seed = seed;
        this.data = data;
        this.batch = Math.min(batchSize, Math.max(1, data.size()));
        this.outDir = outDir;
        this.initial = initial;
        this.listener = listener;
        this.manager = manager;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Block newBackbone() {
        Block block = backbone.build(backboneConfig);
        block.initialize(manager, DataType.FLOAT32, new Shape(batch).addAll(inputShape()));
        if (initial != null) {
            try {
                BlockWeights.apply(block, initialWeights().backbone(), TorchNames::toTorch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            listener.message("backbone initialised from " + initial);
        }
        return block;
    }

    @Override
    public Block newHead() {
        Block block = head.build(headConfig, headSize);
        block.initialize(manager, DataType.FLOAT32, new Shape(batch, headSize.featureDim()), new Shape(batch));
        if (sampleRate < 1) {
            if (!(block instanceof CosineClassifier classifier)) {
                throw new InvalidConfigException("sample_rate", head.name() + " has no class matrix to sample from");
            }
            try {
                classifier.sampleClasses(sampleRate, seed);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("sample_rate", head.name() + ": " + e.getMessage());
            }
        }
        if (initial != null && initialWeights().hasPrefix("head.")) {
            LoadReport r = BlockWeights.applyMatching(block, initialWeights().head(), TorchNames::toTorch);
            listener.message(r.isExact() ? "head initialised from " + initial
                    : "the head starts fresh (" + initial + " holds another: " + r.describe() + ")");
        }
        return block;
    }

    private StateDict initialWeights() {
        if (initialWeights == null) {
            try {
                initialWeights = Weights.load(initial);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return initialWeights;
    }

    @Override
    public Shape inputShape() {
        return backbone.inputShape(backboneConfig);
    }

    @Override
    public int featureDim() {
        return headSize.featureDim();
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
    public TrainingListener listener() {
        return listener;
    }
}
