package io.facex.backbone.resnest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

import static io.facex.backbone.resnest.SplitAttention.apply;

/**
 * ResNeSt's bottleneck (FaceX-Zoo's {@code backbone/resnest/resnet.py}, radix 2, cardinality 1,
 * bottleneck width 64, {@code avd} on, {@code avd_first} off): 1×1 conv, BN, ReLU; split attention at
 * stride 1; in a layer's first block the 3×3 average pool (stride 2, padding counted, so always /9)
 * that takes the stride instead; 1×1 conv to 4× the width, BN; plus the shortcut; ReLU. A layer's
 * first block has the ResNet-D shortcut: 2×2 average pool (ceil mode, padding not counted), 1×1 conv,
 * BN.
 */
final class Bottleneck extends AbstractBlock {

    private static final Shape AVD_KERNEL = new Shape(3, 3);
    private static final Shape AVD_PAD = new Shape(1, 1);

    private final Shape stride;
    private final Block conv1;
    private final Block bn1;
    private final Block conv2;
    private final Block conv3;
    private final Block bn3;
    private final Block downsample;

    /**
     * @param planes the group width; the block outputs 4× as many channels
     * @param stride 2 for a layer's first block (with the pooled shortcut), 1 for the others
     */
    Bottleneck(int planes, int stride) {
        super((byte) 1);
        this.stride = stride > 1 ? new Shape(stride, stride) : null;
        conv1 = addChildBlock("conv1", Torch.conv(planes, 1, 1, 0, 1, false));
        bn1 = addChildBlock("bn1", Torch.batchNorm());
        conv2 = addChildBlock("conv2", new SplitAttention(planes));
        conv3 = addChildBlock("conv3", Torch.conv(planes * 4, 1, 1, 0, 1, false));
        bn3 = addChildBlock("bn3", Torch.batchNorm());
        downsample = stride > 1 ? addChildBlock("downsample", new Sequence()
                .add("0", Pool.avgPool2dBlock(new Shape(stride, stride), new Shape(stride, stride), new Shape(0, 0), true, false))
                .add("1", Torch.conv(planes * 4, 1, 1, 0, 1, false))
                .add("2", Torch.batchNorm())) : null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = apply(conv1, store, x, training, params);
        y = then(bn1, store, y, training, params);
        NDArray r = Activation.relu(y);
        y.close();
        y = then(conv2, store, r, training, params);
        if (stride != null) {
            NDArray pooled = Pool.avgPool2d(y, AVD_KERNEL, stride, AVD_PAD, false, true);
            y.close();
            y = pooled;
        }
        y = then(conv3, store, y, training, params);
        y = then(bn3, store, y, training, params);
        NDArray sum;
        if (downsample != null) {
            NDArray shortcut = apply(downsample, store, x, training, params);
            sum = y.add(shortcut);
            shortcut.close();
        } else {
            sum = y.add(x);
        }
        y.close();
        NDArray out = Activation.relu(sum);
        sum.close();
        return new NDList(out);
    }

    /** {@code apply}, then drops the handle on the input, an intermediate no one else holds. */
    private static NDArray then(Block b, ParameterStore store, NDArray x, boolean training, PairList<String, Object> params) {
        NDArray y = apply(b, store, x, training, params);
        if (y != x) {
            x.close();
        }
        return y;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block b : new Block[] {conv1, bn1, conv2}) {
            b.initialize(manager, dataType, shapes);
            shapes = b.getOutputShapes(shapes);
        }
        shapes = new Shape[] {pooled(shapes[0])};
        conv3.initialize(manager, dataType, shapes);
        bn3.initialize(manager, dataType, conv3.getOutputShapes(shapes));
        if (downsample != null) {
            downsample.initialize(manager, dataType, inputShapes);
        }
    }

    private Shape pooled(Shape s) {
        // ⌊(n + 2 − 3)/2⌋ + 1 = ⌈n/2⌉, as the ceil-mode 2×2 pool of the shortcut gives
        return stride == null ? s : new Shape(s.get(0), s.get(1), (s.get(2) + 1) / 2, (s.get(3) + 1) / 2);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = pooled(inputShapes[0]);
        return new Shape[] {new Shape(s.get(0), conv3.getOutputShapes(new Shape[] {s})[0].get(1), s.get(2), s.get(3))};
    }
}
