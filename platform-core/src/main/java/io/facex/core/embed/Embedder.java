package io.facex.core.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.facex.api.Backbone;
import io.facex.core.nn.Djl;
import io.facex.nn.Staging;
import io.facex.nn.TorchNames;
import io.facex.weights.BlockWeights;
import io.facex.weights.StateDict;
import io.facex.weights.Weights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A backbone with weights, in eval mode, turning normalised faces into features. BatchNorm layers are
 * folded into the layers before them once the weights are in ({@link io.facex.nn.BatchNormFolding}). Weights come from a
 * FaceX-Zoo checkpoint ({@code .pt}, keys {@code backbone.*}, {@code module.*} or {@code feat_net.*}),
 * one of ours ({@code .safetensors}), or a bare state dict ({@code .npz}); every tensor must match the
 * backbone by name and shape, or the load fails listing what did not.
 */
public final class Embedder<C> implements AutoCloseable {

    /** Faces per forward pass: large enough to keep the cores busy, small enough for a laptop. */
    public static final int CHUNK = 64;

    private final NDManager manager;
    private final Block block;
    private final Shape face;
    private final int dim;
    private final Staging staging = new Staging();

    public Embedder(Backbone<C> backbone, C config, Path weights) throws IOException {
        this.face = backbone.inputShape(config);
        this.dim = backbone.featureDim(config);
        this.manager = Djl.newManager();
        try {
            this.block = backbone.build(config);
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(face));
            if (weights != null) {
                StateDict sd = Weights.load(weights);
                BlockWeights.apply(block, sd.backbone(), TorchNames::toTorch);
            }
            io.facex.nn.BatchNormFolding.fold(block, manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** (channels, height, width) of one face. */
    public Shape faceShape() {
        return face;
    }

    public int dimension() {
        return dim;
    }

    /**
     * Features of {@code n} faces laid out (n, C, H, W) in {@code faces}.
     *
     * @param normalize divide each feature by max(‖f‖, 1e-12), as FaceX-Zoo's evaluation does
     */
    public float[] embed(float[] faces, int n, boolean normalize) {
        int per = (int) face.size();
        if (faces.length < (long) n * per) {
            throw new IllegalArgumentException("expected " + n + " faces of " + face + ", got " + faces.length + " values");
        }
        float[] out = new float[n * dim];
        for (int from = 0; from < n; from += CHUNK) {
            int k = Math.min(CHUNK, n - from);
            try (NDManager step = manager.newSubManager()) {
                NDArray x = staging.floats(step, faces, from * per, new Shape(k).addAll(face));
                NDArray f = block.forward(new ParameterStore(step, false), new NDList(x), false).singletonOrThrow();
                if (normalize) {
                    f = f.div(f.norm(new int[] {1}, true).maximum(1e-12f));
                }
                System.arraycopy(f.toFloatArray(), 0, out, from * dim, k * dim);
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
