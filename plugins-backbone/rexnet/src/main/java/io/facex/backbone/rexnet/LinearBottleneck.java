package io.facex.backbone.rexnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * FaceX-Zoo's {@code LinearBottleneck}: its layers under {@code out}, and ReXNet's partial residual,
 * {@code out[:, :in] += x}, when the stride is 1 and the block does not narrow.
 */
final class LinearBottleneck extends AbstractBlock {

    private final Block out;
    /** Channels the input is added to; 0 for no residual. */
    private final int residual;
    private final NDIndex head;
    private final NDIndex tail;

    LinearBottleneck(Block out, int residual) {
        super((byte) 1);
        this.out = addChildBlock("out", out);
        this.residual = residual;
        this.head = new NDIndex(":, :{}", residual);
        this.tail = new NDIndex(":, {}:", residual);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList y = out.forward(store, inputs, training, params);
        if (residual == 0) {
            return y;
        }
        NDArray a = y.singletonOrThrow();
        NDArray x = inputs.singletonOrThrow();
        if (a.getShape().get(1) == residual) {
            NDArray sum = a.add(x);
            a.close();
            return new NDList(sum);
        }
        NDArray first = a.get(head);
        NDArray rest = a.get(tail);
        NDArray added = first.add(x);
        NDArray sum = NDArrays.concat(new NDList(added, rest), 1);
        a.close();
        first.close();
        rest.close();
        added.close();
        return new NDList(sum);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        out.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return out.getOutputShapes(inputShapes);
    }
}
