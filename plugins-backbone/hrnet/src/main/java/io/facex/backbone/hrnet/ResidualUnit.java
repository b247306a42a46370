package io.facex.backbone.hrnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * HRNet's BasicBlock and Bottleneck: {@code relu(body(x) + shortcut(x))}, the body's layers being direct
 * children ({@code conv1}, {@code bn1}, ...) and the shortcut the optional {@code downsample} child, as
 * the original names them. Without a downsample the shortcut is the input itself.
 */
final class ResidualUnit extends AbstractBlock {

    private final List<Block> body = new ArrayList<>();
    private Block downsample;

    ResidualUnit() {
        super((byte) 1);
    }

    /** Appends a layer of the body under its PyTorch attribute name. */
    ResidualUnit add(String name, Block layer) {
        body.add(addChildBlock(name, layer));
        return this;
    }

    ResidualUnit downsample(Block shortcut) {
        downsample = addChildBlock("downsample", shortcut);
        return this;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList current = inputs;
        for (Block layer : body) {
            NDList next = layer.forward(store, current, training, params);
            if (current != inputs) {
                Lists.release(current, next);
            }
            current = next;
        }
        NDArray out = current.singletonOrThrow();
        if (downsample == null) {
            // out is this unit's own (the last BN's output): adding in place spares an allocation, as
            // the original's "out += residual" does, and autograd does not need BN's output.
            out.addi(inputs.singletonOrThrow());
        } else {
            try (NDList shortcut = downsample.forward(store, inputs, training, params)) {
                out.addi(shortcut.singletonOrThrow());
            }
        }
        NDArray relu = Activation.relu(out);
        out.close();
        return new NDList(relu);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block layer : body) {
            layer.initialize(manager, dataType, shapes);
            shapes = layer.getOutputShapes(shapes);
        }
        if (downsample != null) {
            downsample.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block layer : body) {
            shapes = layer.getOutputShapes(shapes);
        }
        return shapes;
    }
}
