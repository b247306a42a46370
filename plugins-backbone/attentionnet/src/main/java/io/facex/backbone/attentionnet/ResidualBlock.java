package io.facex.backbone.attentionnet;

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
import io.facex.nn.Torch;

/**
 * The pre-activation bottleneck of the Residual Attention Network: {@code a = relu(bn1(x))}, then
 * 1×1 → 3×3 (stride) → 1×1 with BN and ReLU between, plus a shortcut that is {@code x} itself, or a
 * strided 1×1 projection of {@code a} (not of {@code x}) when the width or the stride changes. Nothing
 * follows the addition.
 *
 * <p>{@code conv4}, the projection, exists in every block, used or not, because FaceX-Zoo's
 * {@code ResidualBlock} always creates it: it is in every checkpoint and in the parameter count.
 */
final class ResidualBlock extends AbstractBlock {

    private final boolean projects;
    private final Block bn1;
    private final Block conv1;
    private final Block bn2;
    private final Block conv2;
    private final Block bn3;
    private final Block conv3;
    private final Block conv4;

    ResidualBlock(int in, int out, int stride) {
        super((byte) 1);
        projects = in != out || stride != 1;
        bn1 = addChildBlock("bn1", Torch.batchNorm());
        conv1 = addChildBlock("conv1", Torch.conv(out / 4, 1, 1, 0, 1, false));
        bn2 = addChildBlock("bn2", Torch.batchNorm());
        conv2 = addChildBlock("conv2", Torch.conv(out / 4, 3, stride, 1, 1, false));
        bn3 = addChildBlock("bn3", Torch.batchNorm());
        conv3 = addChildBlock("conv3", Torch.conv(out, 1, 1, 0, 1, false));
        conv4 = addChildBlock("conv4", Torch.conv(out, 1, stride, 0, 1, false));
    }

    /** A block keeping the width and the size, as the attention modules use. */
    ResidualBlock(int channels) {
        this(channels, channels, 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray a = relu(apply(bn1, store, x, training, params));
        NDArray y = apply(conv1, store, a, training, params);
        y = relu(then(bn2, store, y, training, params));
        y = then(conv2, store, y, training, params);
        y = relu(then(bn3, store, y, training, params));
        y = then(conv3, store, y, training, params);
        NDArray out;
        if (projects) {
            NDArray shortcut = apply(conv4, store, a, training, params);
            out = y.add(shortcut);
            shortcut.close();
        } else {
            out = y.add(x);
        }
        a.close();
        y.close();
        return new NDList(out);
    }

    /** relu(x), dropping the handle on x (autograd keeps what backward needs on its own). */
    static NDArray relu(NDArray x) {
        NDArray y = Activation.relu(x);
        if (y != x) {
            x.close();
        }
        return y;
    }

    static NDArray apply(Block b, ParameterStore store, NDArray x, boolean training, PairList<String, Object> params) {
        return b.forward(store, new NDList(x), training, params).singletonOrThrow();
    }

    /** {@link #apply}, then drops the handle on the input, an intermediate no one else holds. */
    static NDArray then(Block b, ParameterStore store, NDArray x, boolean training, PairList<String, Object> params) {
        NDArray y = apply(b, store, x, training, params);
        if (y != x) {
            x.close();
        }
        return y;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block b : new Block[] {bn1, conv1, bn2, conv2, bn3, conv3}) {
            b.initialize(manager, dataType, shapes);
            shapes = b.getOutputShapes(shapes);
        }
        conv4.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv4.getOutputShapes(inputShapes);
    }
}
