package io.facex.core.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.facex.api.Backbone;

/** Sizes of plugin blocks, as FaceX-Zoo reports them. */
public final class BlockStats {

    /**
     * @param parameters trainable parameters
     * @param output     the shape one face produces in a forward pass
     */
    public record BackboneStats(long parameters, Shape output) {
    }

    private BlockStats() {
    }

    /**
     * Builds the backbone, counts its trainable parameters (PyTorch's
     * {@code sum(p.numel() for p in model.parameters())}) and runs one face through it. BatchNorm running
     * statistics are buffers in PyTorch and do not count; DJL keeps them as parameters that need no
     * gradient, so those are skipped.
     */
    public static <C> BackboneStats inspect(Backbone<C> backbone, C config) {
        Block block = backbone.build(config);
        Shape input = new Shape(1).addAll(backbone.inputShape(config));
        try (NDManager manager = Djl.newManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            long n = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    n += p.getValue().getArray().size();
                }
            }
            NDList out = block.forward(new ParameterStore(manager, false), new NDList(manager.zeros(input)), false);
            return new BackboneStats(n, out.singletonOrThrow().getShape());
        }
    }
}
