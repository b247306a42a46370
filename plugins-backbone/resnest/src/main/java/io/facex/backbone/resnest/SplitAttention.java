package io.facex.backbone.resnest;

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
import io.facex.nn.Scalars;
import io.facex.nn.Torch;

/**
 * ResNeSt's split-attention convolution ({@code SplAtConv2d} with radix 2, cardinality 1, BatchNorm, no
 * rectification, no DropBlock), FaceX-Zoo's {@code backbone/resnest/splat.py}: a grouped 3×3 conv makes
 * two splits of {@code width} channels; their sum, globally pooled, goes through fc1 (1×1, bias), BN,
 * ReLU and fc2 (1×1, bias) to one logit per split and channel; a softmax across the two splits weighs
 * them, and the weighted splits are summed.
 */
final class SplitAttention extends AbstractBlock {

    private static final int RADIX = 2;

    private final int width;
    private final Block conv;
    private final Block bn0;
    private final Block fc1;
    private final Block bn1;
    private final Block fc2;

    /** @param width the group width: input channels and output channels */
    SplitAttention(int width) {
        super((byte) 1);
        this.width = width;
        int inter = Math.max(width * RADIX / 4, 32);
        conv = addChildBlock("conv", Torch.conv(width * RADIX, 3, 1, 1, RADIX, false));
        bn0 = addChildBlock("bn0", Torch.batchNorm());
        fc1 = addChildBlock("fc1", Torch.conv(inter, 1, 1, 0, 1, true));
        bn1 = addChildBlock("bn1", Torch.batchNorm());
        fc2 = addChildBlock("fc2", Torch.conv(width * RADIX, 1, 1, 0, 1, true));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray c = apply(conv, store, inputs.singletonOrThrow(), training, params);
        NDArray b = apply(bn0, store, c, training, params);
        c.close();
        NDArray x = Activation.relu(b);
        b.close();
        Shape s = x.getShape();
        // (N, radix·width, H, W) viewed as (N, radix, width, H, W): the splits are consecutive channel blocks
        NDArray splits = x.reshape(s.get(0), RADIX, width, s.get(2), s.get(3));
        NDArray summed = splits.sum(new int[] {1});
        NDArray total = summed.sum(new int[] {2, 3}, true);
        NDArray gap = total.div(Scalars.of((float) (s.get(2) * s.get(3))));
        summed.close();
        total.close();
        NDArray g1 = apply(fc1, store, gap, training, params);
        gap.close();
        NDArray g2 = apply(bn1, store, g1, training, params);
        g1.close();
        NDArray g3 = Activation.relu(g2);
        g2.close();
        NDArray logits = apply(fc2, store, g3, training, params);
        g3.close();
        NDArray byRadix = logits.reshape(s.get(0), RADIX, width, 1, 1);
        NDArray attention = byRadix.softmax(1);
        NDArray weighted = attention.mul(splits);
        NDArray out = weighted.sum(new int[] {1});
        for (NDArray a : new NDArray[] {x, splits, logits, byRadix, attention, weighted}) {
            a.close();
        }
        return new NDList(out);
    }

    static NDArray apply(Block b, ParameterStore store, NDArray x, boolean training, PairList<String, Object> params) {
        return b.forward(store, new NDList(x), training, params).singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
        Shape[] split = conv.getOutputShapes(inputShapes);
        bn0.initialize(manager, dataType, split);
        Shape[] pooled = {new Shape(split[0].get(0), width, 1, 1)};
        fc1.initialize(manager, dataType, pooled);
        Shape[] hidden = fc1.getOutputShapes(pooled);
        bn1.initialize(manager, dataType, hidden);
        fc2.initialize(manager, dataType, hidden);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = conv.getOutputShapes(inputShapes)[0];
        return new Shape[] {new Shape(s.get(0), width, s.get(2), s.get(3))};
    }
}
