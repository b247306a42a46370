package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.function.UnaryOperator;

/**
 * Squeeze-and-excitation: {@code x * gate(excite(mean over H, W of x))}. The backbones that use it
 * differ in the excitation (1×1 convs with or without bias, a BatchNorm between them, ReLU or Swish),
 * in the gate (sigmoid, hard sigmoid) and in their modules' names, so the caller adds the excitation's
 * layers under the original's names and picks the gate; the squeeze and the rescaling are here, once.
 *
 * <pre>{@code
 * // IR-SE's SEModule: fc1 (no bias), ReLU, fc2 (no bias), sigmoid
 * new SqueezeExcite(SqueezeExcite.SIGMOID).add("fc1", Torch.conv(c / 16, 1, 1, 0, 1, false))
 *         .add("relu", Torch.relu()).add("fc2", Torch.conv(c, 1, 1, 0, 1, false))
 * }</pre>
 */
public final class SqueezeExcite extends AbstractBlock {

    /** {@code torch.sigmoid}. */
    public static final UnaryOperator<NDArray> SIGMOID = ai.djl.nn.Activation::sigmoid;
    /** {@code F.relu6(x + 3) / 6}, GhostNet's and MobileNetV3's gate (see {@link Torch#hardSigmoid}). */
    public static final UnaryOperator<NDArray> HARD_SIGMOID = Torch::hardSigmoid;

    private final UnaryOperator<NDArray> gate;

    public SqueezeExcite(UnaryOperator<NDArray> gate) {
        super((byte) 1);
        this.gate = gate;
    }

    /** Appends a layer of the excitation under its PyTorch attribute name. */
    public SqueezeExcite add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        // Read twice (the gate's branch and the product): one cut for both when training is cut.
        NDArray x = training ? CutBackward.fork(input) : input;
        // Global average pooling is libtorch's adaptive_avg_pool2d(1), as the original's AdaptiveAvgPool2d.
        NDArray pooled = ai.djl.nn.pooling.Pool.globalAvgPool2d(x);
        NDList w = new NDList(pooled.reshape(pooled.getShape().get(0), pooled.getShape().get(1), 1, 1));
        for (Block child : children.values()) {
            w = child.forward(store, w, training, params);
        }
        NDArray out = x.mul(gate.apply(w.singletonOrThrow()));
        if (x != input) {
            x.close();
        }
        return new NDList(out);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = {new Shape(inputShapes[0].get(0), inputShapes[0].get(1), 1, 1)};
        for (Block child : children.values()) {
            child.initialize(manager, dataType, shapes);
            shapes = child.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
