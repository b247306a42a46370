package io.facex.backbone.hrnet;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The transition between HRNet stages ({@code transition1..3}): output i is the previous stage's branch i
 * where the item is {@code null} (the original's {@code None}), and item i applied to the previous
 * stage's <em>last</em> (lowest-resolution) branch otherwise. The original feeds every non-None item the
 * last branch, including a width change of an existing branch; {@link HRNet#validate} therefore only
 * lets the last existing branch change width, the one case that is well-formed there.
 */
final class Transition extends AbstractBlock {

    private final Block[] items;

    Transition(Block... items) {
        super((byte) 1);
        this.items = items.clone();
        for (int i = 0; i < items.length; i++) {
            if (items[i] != null) {
                addChildBlock(Integer.toString(i), items[i]);
            }
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList last = new NDList(inputs.get(inputs.size() - 1));
        NDList out = new NDList(items.length);
        for (int i = 0; i < items.length; i++) {
            out.add(items[i] == null ? inputs.get(i) : items[i].forward(store, last, training, params).singletonOrThrow());
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block item : items) {
            if (item != null) {
                item.initialize(manager, dataType, inputShapes[inputShapes.length - 1]);
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] last = {inputShapes[inputShapes.length - 1]};
        Shape[] out = new Shape[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = items[i] == null ? inputShapes[i] : items[i].getOutputShapes(last)[0];
        }
        return out;
    }
}
