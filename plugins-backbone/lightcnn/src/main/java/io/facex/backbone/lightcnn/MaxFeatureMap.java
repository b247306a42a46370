package io.facex.backbone.lightcnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * LightCNN's {@code mfm}: a layer (FaceX-Zoo's {@code filter}, a conv to twice the output channels)
 * whose output is split into two halves along the channels and reduced by their elementwise maximum,
 * {@code torch.max(*torch.split(x, out, 1))}.
 */
final class MaxFeatureMap extends AbstractBlock {

    private final Block filter;

    MaxFeatureMap(Block filter) {
        super((byte) 1);
        this.filter = addChildBlock("filter", filter);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = filter.forward(store, inputs, training, params).singletonOrThrow();
        NDList halves = x.split(2, 1);
        NDArray out = NDArrays.maximum(halves.get(0), halves.get(1));
        halves.close();
        x.close();
        return new NDList(out);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        filter.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = filter.getOutputShapes(inputShapes)[0];
        long[] dims = s.getShape();
        if (dims[1] % 2 != 0) {
            throw new IllegalStateException("a max-feature-map layer needs an even channel count, got " + s);
        }
        dims[1] /= 2;
        return new Shape[] {new Shape(dims)};
    }
}
