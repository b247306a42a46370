package io.facex.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;

/** Layers configured with PyTorch's defaults, as FaceX-Zoo's modules construct them. */
public final class Torch {

    private Torch() {
    }

    /** {@code nn.Conv2d(in, out, k, stride, padding, groups, bias)} with a square kernel. */
    public static Block conv(int out, int kernel, int stride, int padding, int groups, boolean bias) {
        return conv(out, kernel, kernel, stride, padding, groups, bias);
    }

    /** {@code nn.Conv2d} with a (kh, kw) kernel and no padding beyond {@code padding} on both axes. */
    public static Block conv(int out, int kh, int kw, int stride, int padding, int groups, boolean bias) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(kh, kw))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optGroups(groups)
                .optBias(bias)
                .build();
    }

    /** {@code nn.Conv2d} with every argument per axis: kernel (kh, kw), stride (sh, sw), padding (ph, pw). */
    public static Block conv(int out, int kh, int kw, int sh, int sw, int ph, int pw, int groups, boolean bias) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(kh, kw))
                .optStride(new Shape(sh, sw))
                .optPadding(new Shape(ph, pw))
                .optGroups(groups)
                .optBias(bias)
                .build();
    }

    /**
     * {@code nn.BatchNorm1d/2d} with eps 1e-5 and momentum 0.1. DJL's momentum weighs the old running
     * value, PyTorch's the new statistic, hence 0.9 here.
     */
    public static Block batchNorm() {
        return batchNorm(1e-5, 0.1);
    }

    /** {@code nn.BatchNorm2d(c, eps=eps, momentum=momentum)} in PyTorch's terms (EfficientNet: 1e-3, 0.01). */
    public static Block batchNorm(double eps, double momentum) {
        return BatchNorm.builder().optEpsilon((float) eps).optMomentum((float) (1 - momentum)).build();
    }

    /** {@code nn.PReLU(channels)}: one slope per channel. */
    public static Block prelu(int channels) {
        return new ChannelPrelu(channels);
    }

    /** {@code nn.Linear(in, out, bias)} over flattened input. */
    public static Block linear(int out, boolean bias) {
        return Linear.builder().setUnits(out).optBias(bias).build();
    }

    /** {@code nn.ReLU()}. */
    public static Block relu() {
        return ai.djl.nn.Activation.reluBlock();
    }

    /** {@code nn.Sigmoid()}. */
    public static Block sigmoid() {
        return ai.djl.nn.Activation.sigmoidBlock();
    }

    /** {@code nn.Dropout(p)}: identity at inference, as in eval mode, and inside {@link #withoutDropout}. */
    public static Block dropout(double p) {
        float rate = (float) p;
        return new ai.djl.nn.AbstractBlock() {
            @Override
            protected ai.djl.ndarray.NDList forwardInternal(ai.djl.training.ParameterStore ps, ai.djl.ndarray.NDList in,
                                                            boolean training, ai.djl.util.PairList<String, Object> params) {
                return training && !NO_DROPOUT.isOn() ? ai.djl.nn.norm.Dropout.dropout(in.singletonOrThrow(), rate, true) : in;
            }

            @Override
            public Shape[] getOutputShapes(Shape[] inputShapes) {
                return inputShapes;
            }
        };
    }

    private static final ThreadFlag NO_DROPOUT = new ThreadFlag();

    /**
     * Runs a training-mode forward pass with every {@link #dropout} block as in eval mode while batch norm
     * keeps training: FaceX-Zoo's semi-siamese gallery network ({@code gallery.eval()}, then every
     * BatchNorm back to {@code train()}).
     */
    public static <T> T withoutDropout(java.util.function.Supplier<T> pass) {
        return NO_DROPOUT.during(pass);
    }

    /** {@code nn.MaxPool2d(kernel, stride, padding)}. */
    public static Block maxPool(int kernel, int stride, int padding) {
        return ai.djl.nn.pooling.Pool.maxPool2dBlock(new Shape(kernel, kernel), new Shape(stride, stride),
                new Shape(padding, padding));
    }

    /** {@code nn.AvgPool2d(kernel, stride, padding)} (count_include_pad=True, PyTorch's default). */
    public static Block avgPool(int kernel, int stride, int padding) {
        return ai.djl.nn.pooling.Pool.avgPool2dBlock(new Shape(kernel, kernel), new Shape(stride, stride),
                new Shape(padding, padding), false, true);
    }

    /**
     * {@code nn.SiLU()} / Swish: {@code x * sigmoid(x)}. Not DJL's swish, which multiplies by a scalar
     * first: DJL's PyTorch engine makes the scalar a tensor over a Java buffer that it frees right after
     * the op, while autograd keeps it for backward, so gradients read freed memory (NaN now and then).
     */
    public static Block swish() {
        return new ai.djl.nn.LambdaBlock(x -> new ai.djl.ndarray.NDList(swish(x.singletonOrThrow())), "swish");
    }

    /** {@code x * sigmoid(x)} with tensor operands only (see {@link #swish()}). */
    public static ai.djl.ndarray.NDArray swish(ai.djl.ndarray.NDArray x) {
        try (ai.djl.ndarray.NDArray gate = x.getNDArrayInternal().sigmoid()) {
            return x.mul(gate);
        }
    }

    /** {@code nn.ReLU6()}. */
    public static Block relu6() {
        return new ai.djl.nn.LambdaBlock(x -> new ai.djl.ndarray.NDList(x.singletonOrThrow().clip(0f, 6f)), "relu6");
    }

    /** {@code nn.Hardswish()}: {@code x * relu6(x + 3) / 6}. */
    public static Block hardSwish() {
        return new ai.djl.nn.LambdaBlock(x -> {
            ai.djl.ndarray.NDArray a = x.singletonOrThrow();
            try (ai.djl.ndarray.NDArray gate = hardSigmoid(a)) {
                return new ai.djl.ndarray.NDList(a.mul(gate));
            }
        }, "hardSwish");
    }

    /**
     * {@code F.relu6(x + 3) / 6}. The 1/6 is a tensor of {@code x}'s manager, alive until backward has run:
     * a Java scalar would become a tensor over a buffer freed right after the op, which autograd still
     * reads for the gradient (see {@link #swish()}). Adding 3 and clamping keep nothing for backward.
     */
    public static ai.djl.ndarray.NDArray hardSigmoid(ai.djl.ndarray.NDArray x) {
        ai.djl.ndarray.NDArray sixth = x.getManager().create(1f / 6f);
        try (ai.djl.ndarray.NDArray shifted = x.add(3f); ai.djl.ndarray.NDArray clamped = shifted.clip(0f, 6f)) {
            return clamped.mul(sixth);
        }
    }
}
