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
 * A PyTorch {@code nn.ModuleList} over the branches of a multi-resolution stage: item i maps branch i,
 * children are named by their index, and an item that is {@code null} (Python's {@code None}) passes
 * its branch through unchanged and takes no index name, so the indices after it keep the original's.
 */
final class ModuleList extends AbstractBlock {

    private final Block[] items;

    ModuleList(Block... items) {
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
        NDList out = new NDList(items.length);
        for (int i = 0; i < items.length; i++) {
            out.add(items[i] == null ? inputs.get(i)
                    : items[i].forward(store, new NDList(inputs.get(i)), training, params).singletonOrThrow());
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int i = 0; i < items.length; i++) {
            if (items[i] != null) {
                items[i].initialize(manager, dataType, inputShapes[i]);
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = items[i] == null ? inputShapes[i] : items[i].getOutputShapes(new Shape[] {inputShapes[i]})[0];
        }
        return out;
    }
}
