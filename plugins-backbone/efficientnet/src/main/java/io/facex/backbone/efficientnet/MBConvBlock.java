package io.facex.backbone.efficientnet;

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
import io.facex.nn.Scalars;
import io.facex.nn.Torch;

/**
 * The original's MBConvBlock: [1×1 expand, BN0, swish], depthwise k×k with static padding, BN1, swish,
 * squeeze-and-excitation, 1×1 project, BN2; a repeat adds its input after drop-connect. Its modules sit
 * directly on the block ({@code _blocks.3._se_reduce}, not inside an SE module), which is why the
 * squeeze-and-excitation is written out here rather than taken from facex-nn's {@code SqueezeExcite},
 * whose layers live one level down.
 */
final class MBConvBlock extends AbstractBlock {

    private final Block expandConv;
    private final Block bn0;
    private final Shape pad;
    private final Block depthwiseConv;
    private final Block bn1;
    private final Block seReduce;
    private final Block seExpand;
    private final Block projectConv;
    private final Block bn2;
    private final boolean skip;
    private final float keep;

    /**
     * @param pad         (before, after) zero padding of the depthwise conv, the same on both axes
     * @param skip        whether the input is added (the original's repeats)
     * @param dropConnect the probability of dropping a sample's branch in training (0: never)
     */
    MBConvBlock(int in, int out, int kernel, int stride, int expand, int[] pad, boolean skip, double dropConnect) {
        super((byte) 1);
        int mid = in * expand;
        double eps = EfficientNet.BN_EPS;
        double momentum = EfficientNet.BN_MOMENTUM;
        if (expand != 1) {
            expandConv = addChildBlock("_expand_conv", Torch.conv(mid, 1, 1, 0, 1, false));
            bn0 = addChildBlock("_bn0", Torch.batchNorm(eps, momentum));
        } else {
            expandConv = null;
            bn0 = null;
        }
        // Equal sides go into the conv's own padding (no padded copy); FaceX-Zoo's ZeroPad2d is the same zeros.
        boolean symmetric = pad[0] == pad[1];
        this.pad = symmetric ? null : new Shape(pad[0], pad[1], pad[0], pad[1]);
        depthwiseConv = addChildBlock("_depthwise_conv", Torch.conv(mid, kernel, stride, symmetric ? pad[0] : 0, mid, false));
        bn1 = addChildBlock("_bn1", Torch.batchNorm(eps, momentum));
        int squeezed = Math.max(1, (int) (in * 0.25));
        seReduce = addChildBlock("_se_reduce", Torch.conv(squeezed, 1, 1, 0, 1, true));
        seExpand = addChildBlock("_se_expand", Torch.conv(mid, 1, 1, 0, 1, true));
        projectConv = addChildBlock("_project_conv", Torch.conv(out, 1, 1, 0, 1, false));
        bn2 = addChildBlock("_bn2", Torch.batchNorm(eps, momentum));
        this.skip = skip;
        this.keep = (float) (1 - dropConnect);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        NDArray x = input;
        if (expandConv != null) {
            x = step(expandConv, store, x, training, params, input);
            x = step(bn0, store, x, training, params, input);
            x = swish(x);
        }
        if (pad != null) {
            x = replace(x, x.pad(pad, 0), input);
        }
        x = step(depthwiseConv, store, x, training, params, input);
        x = step(bn1, store, x, training, params, input);
        x = swish(x);

        NDArray pooled = Pool.globalAvgPool2d(x);
        NDArray w = pooled.reshape(pooled.getShape().get(0), pooled.getShape().get(1), 1, 1);
        pooled.close();
        w = step(seReduce, store, w, training, params, null);
        w = swish(w);
        w = step(seExpand, store, w, training, params, null);
        NDArray gate = Activation.sigmoid(w);
        w.close();
        x = replace(x, x.mul(gate), input);
        gate.close();

        x = step(projectConv, store, x, training, params, input);
        x = step(bn2, store, x, training, params, input);
        if (!skip) {
            return new NDList(x);
        }
        if (training && keep < 1f) {
            // floor(keep + U[0, 1)) is 1 with probability keep, as the original's torch.floor(keep_prob + torch.rand(...)).
            try (NDArray u = x.getManager().randomUniform(0f, 1f, new Shape(x.getShape().get(0), 1, 1, 1), x.getDataType());
                 NDArray mask = u.add(keep).floor().div(Scalars.of(keep))) {
                x = replace(x, x.mul(mask), input);
            }
        }
        return new NDList(replace(x, x.add(input), input));
    }

    private static NDArray step(Block block, ParameterStore store, NDArray x, boolean training,
            PairList<String, Object> params, NDArray input) {
        return replace(x, block.forward(store, new NDList(x), training, params).singletonOrThrow(), input);
    }

    private static NDArray swish(NDArray x) {
        // x is a fresh intermediate here (never the block's input), so replacing it frees our handle only
        return replace(x, Torch.swish(x), null);
    }

    /** Drops our handle on an intermediate once its successor exists; autograd keeps what it still needs. */
    private static NDArray replace(NDArray done, NDArray next, NDArray input) {
        if (done != input && done != next) {
            done.close();
        }
        return next;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        if (expandConv != null) {
            expandConv.initialize(manager, dataType, s);
            s = expandConv.getOutputShapes(new Shape[] {s})[0];
            bn0.initialize(manager, dataType, s);
        }
        if (pad != null) {
            s = new Shape(s.get(0), s.get(1), s.get(2) + pad.get(0) + pad.get(1), s.get(3) + pad.get(0) + pad.get(1));
        }
        depthwiseConv.initialize(manager, dataType, s);
        s = depthwiseConv.getOutputShapes(new Shape[] {s})[0];
        bn1.initialize(manager, dataType, s);
        Shape pooled = new Shape(s.get(0), s.get(1), 1, 1);
        seReduce.initialize(manager, dataType, pooled);
        seExpand.initialize(manager, dataType, seReduce.getOutputShapes(new Shape[] {pooled}));
        projectConv.initialize(manager, dataType, s);
        bn2.initialize(manager, dataType, projectConv.getOutputShapes(new Shape[] {s}));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        if (expandConv != null) {
            s = expandConv.getOutputShapes(new Shape[] {s})[0];
        }
        if (pad != null) {
            s = new Shape(s.get(0), s.get(1), s.get(2) + pad.get(0) + pad.get(1), s.get(3) + pad.get(0) + pad.get(1));
        }
        s = depthwiseConv.getOutputShapes(new Shape[] {s})[0];
        return projectConv.getOutputShapes(new Shape[] {s});
    }
}
