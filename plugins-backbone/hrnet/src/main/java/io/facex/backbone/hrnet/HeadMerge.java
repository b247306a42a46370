package io.facex.backbone.hrnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The classification head's merge of the four widened branches ({@code downsamp_modules}): y = x₀, then
 * y = x_{i+1} + down_i(y) for each strided conv block down_i, ending at the lowest resolution.
 */
final class HeadMerge extends AbstractBlock {

    private final Block[] downs;

    HeadMerge(Block... downs) {
        super((byte) 1);
        this.downs = downs.clone();
        for (int i = 0; i < downs.length; i++) {
            addChildBlock(Integer.toString(i), downs[i]);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = inputs.get(0);
        for (int i = 0; i < downs.length; i++) {
            NDArray down = downs[i].forward(store, new NDList(y), training, params).singletonOrThrow();
            // out of place: x_{i+1} is a ReLU output, which ReLU's backward reads
            NDArray next = inputs.get(i + 1).add(down);
            down.close();
            if (i > 0) {
                y.close();
            }
            y = next;
        }
        return new NDList(y);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] y = {inputShapes[0]};
        for (Block down : downs) {
            down.initialize(manager, dataType, y);
            y = down.getOutputShapes(y);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[inputShapes.length - 1]};
    }
}
