package io.facex.backbone.ghostnet;

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
 * FaceX-Zoo's {@code GhostBottleneck}: its layers ({@code ghost1}, [{@code conv_dw}, {@code bn_dw}],
 * [{@code se}], {@code ghost2}) are attributes of the bottleneck itself, not of a sub-module, so they are
 * direct children here, run in order, and {@code shortcut} (absent for the identity) is added to the
 * result.
 */
final class GhostBottleneck extends AbstractBlock {

    private Block shortcut;

    GhostBottleneck() {
        super((byte) 1);
    }

    GhostBottleneck add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    /** The conv shortcut, or null for the identity; added last, as FaceX-Zoo declares it. */
    GhostBottleneck shortcut(Block block) {
        if (block != null) {
            shortcut = addChildBlock("shortcut", block);
        }
        return this;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList current = inputs;
        for (Block child : children.values()) {
            if (child == shortcut) {
                continue;
            }
            NDList next = child.forward(store, current, training, params);
            if (current != inputs) {
                current.close();
            }
            current = next;
        }
        NDArray body = current.singletonOrThrow();
        if (shortcut == null) {
            NDArray sum = body.add(inputs.singletonOrThrow());
            body.close();
            return new NDList(sum);
        }
        NDArray side = shortcut.forward(store, inputs, training, params).singletonOrThrow();
        NDArray sum = body.add(side);
        body.close();
        side.close();
        return new NDList(sum);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : children.values()) {
            if (child == shortcut) {
                child.initialize(manager, dataType, inputShapes);
            } else {
                child.initialize(manager, dataType, shapes);
                shapes = child.getOutputShapes(shapes);
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : children.values()) {
            if (child != shortcut) {
                shapes = child.getOutputShapes(shapes);
            }
        }
        return shapes;
    }
}
