package io.facex.backbone.hrnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code nn.Upsample(scale_factor=s, mode='nearest')} for an integer s: output (h, w) is input
 * (⌊h/s⌋, ⌊w/s⌋), i.e. every pixel repeated s×s times. Done as a broadcast view and one reshape, a single
 * copy that autograd differentiates (the gradient sums each s×s block).
 */
final class Upsample extends AbstractBlock {

    private final int factor;

    Upsample(int factor) {
        super((byte) 1);
        this.factor = factor;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long[] s = x.getShape().getShape();
        NDArray up = x.reshape(s[0], s[1], s[2], 1, s[3], 1)
                .broadcast(new Shape(s[0], s[1], s[2], factor, s[3], factor))
                .reshape(s[0], s[1], s[2] * factor, s[3] * factor);
        return new NDList(up);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) * factor, s.get(3) * factor)};
    }
}
