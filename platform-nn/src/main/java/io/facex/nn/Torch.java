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

    /**
     * {@code nn.BatchNorm1d/2d} with eps 1e-5 and momentum 0.1. DJL's momentum weighs the old running
     * value, PyTorch's the new statistic, hence 0.9 here.
     */
    public static Block batchNorm() {
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
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

    /** {@code nn.Dropout(p)}: identity at inference, as in eval mode. */
    public static Block dropout(double p) {
        return ai.djl.nn.norm.Dropout.builder().optRate((float) p).build();
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
}
