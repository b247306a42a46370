package io.facex.core.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.facex.api.Backbone;

/** Sizes of plugin blocks, as FaceX-Zoo reports them. */
public final class BlockStats {

    private BlockStats() {
    }

    /**
     * Trainable parameters of a backbone at a configuration: PyTorch's
     * {@code sum(p.numel() for p in model.parameters())}. BatchNorm running statistics are buffers in
     * PyTorch and do not count; DJL keeps them as parameters that need no gradient, so those are skipped.
     */
    public static <C> long parameterCount(Backbone<C> backbone, C config) {
        Block block = backbone.build(config);
        try (NDManager manager = Djl.newManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(backbone.inputShape(config)));
            long n = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    n += p.getValue().getArray().size();
                }
            }
            return n;
        }
    }
}
