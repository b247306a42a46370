package io.facex.sdk.retinaface;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

/**
 * The small sequences {@code retinaface_def.py} builds everything from, with its {@code nn.Sequential}
 * indices as child names ({@code 0} conv, {@code 1} BN, {@code 2} LeakyReLU, ...), so every parameter maps
 * onto the original state-dict key.
 */
final class Layers {

    /** RetinaFace's only slope: every LeakyReLU of the 64-channel mobilenet-0.25 model uses 0.1. */
    static final float LEAKY = 0.1f;

    private Layers() {
    }

    /** {@code conv_bn}: 3×3 conv (no bias), BN, LeakyReLU. */
    static Sequence convBn(int out, int stride) {
        return new Sequence()
                .add("0", Torch.conv(out, 3, stride, 1, 1, false))
                .add("1", Torch.batchNorm())
                .add("2", new Leaky());
    }

    /** {@code conv_bn_no_relu}: 3×3 conv (no bias) and BN. */
    static Sequence convBnNoRelu(int out) {
        return new Sequence()
                .add("0", Torch.conv(out, 3, 1, 1, 1, false))
                .add("1", Torch.batchNorm());
    }

    /** {@code conv_bn1X1}: 1×1 conv (no bias), BN, LeakyReLU. */
    static Sequence convBn1x1(int out) {
        return new Sequence()
                .add("0", Torch.conv(out, 1, 1, 0, 1, false))
                .add("1", Torch.batchNorm())
                .add("2", new Leaky());
    }

    /** {@code conv_dw}: depthwise 3×3 (stride), BN, LeakyReLU, then pointwise 1×1 to {@code out}, BN, LeakyReLU. */
    static Sequence convDw(int in, int out, int stride) {
        return new Sequence()
                .add("0", Torch.conv(in, 3, stride, 1, in, false))
                .add("1", Torch.batchNorm())
                .add("2", new Leaky())
                .add("3", Torch.conv(out, 1, 1, 0, 1, false))
                .add("4", Torch.batchNorm())
                .add("5", new Leaky());
    }

    /** A 1×1 conv with bias, the class, box and landmark heads' only layer ({@code conv1x1}). */
    static Sequence head(int out) {
        return new Sequence().add("conv1x1", Torch.conv(out, 1, 1, 0, 1, true));
    }

    /** {@code nn.LeakyReLU(0.1)}: shape-preserving, so initialising through it needs no trial forward pass. */
    static final class Leaky extends AbstractBlock {

        Leaky() {
            super((byte) 1);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            return new NDList(Activation.leakyRelu(inputs.singletonOrThrow(), LEAKY));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
