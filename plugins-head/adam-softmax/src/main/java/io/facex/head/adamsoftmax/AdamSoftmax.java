package io.facex.head.adamsoftmax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * AdaM-Softmax (Liu et al., "AdaptiveFace: Adaptive Margin and Sampling for Face Recognition", 2019) as
 * FaceX-Zoo's {@code head/AdaM_Softmax.py}: a learnt additive margin per class, {@code adam} (1, C), kept
 * in [0, 1]; the clamped target cosine is lowered by its class's margin, all scaled by s; the second
 * output λ·(1 − mean(adam)) rewards larger margins and is added (as its mean) to the cross-entropy.
 */
public final class AdamSoftmax extends ClassHead<AdamSoftmax.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param scale s
     * @param lamda λ, the weight of the margin term (FaceX-Zoo's spelling)
     */
    public record Config(int featDim, int numClass, double scale, double lamda) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public AdamSoftmax() {
        super("AdaM-Softmax", "AdaM-Softmax (Liu et al. 2019): a learnt additive cosine margin per class",
                Config.class, new Config(512, 72778, 32, 70.0));
    }

    @Override
    protected void check(Config c) {
        CosineClassifier.validateScale("scale", c.scale());
        nonNegative("lamda", c.lamda());
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(c, size);
    }

    /**
     * The AdaM-Softmax rule on top of the shared cosine classifier; the class matrix is {@code kernel}
     * (the first parameter) and the margins {@code adam}, as in FaceX-Zoo's state dict.
     */
    static final class Rule extends CosineClassifier {

        private final float scale;
        private final float lamda;
        private final Parameter adam;

        Rule(Config c, HeadSize size) {
            super(size.featureDim(), size.numClasses(), "kernel");
            this.scale = (float) c.scale();
            this.lamda = (float) c.lamda();
            this.adam = addParameter(Parameter.builder()
                    .setName("adam")
                    .setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(1, size.numClasses()))
                    .optInitializer((manager, shape, type) -> manager.randomUniform(0.3f, 0.4f, shape, type))
                    .build());
        }

        /** The margins (1, C), for tests and checkpoints. */
        Parameter adam() {
            return adam;
        }

        @Override
        protected NDArray logits(Cosines pass) {
            // FaceX-Zoo's self.adam.data.clamp_(0, 1): in place, outside the graph
            try (NDArray view = pass.value(adam).stopGradient(); NDArray clamped = view.clip(0f, 1f)) {
                view.set(new NDIndex("..."), clamped);
            }
            // s · (clamp(cos) − adam[y] · one-hot): only the target column is lowered, by its class's margin
            return pass.cos().clip(-1f, 1f).sub(pass.target().mul(pass.columns(pass.value(adam)))).mul(Scalars.of(scale));
        }

        /** λ · (1 − Σ adam / C), shape (1,). */
        @Override
        protected NDArray secondTerm(Cosines pass) {
            NDArray lm = pass.value(adam).mean(new int[] {1}).neg().add(1f).mul(Scalars.of(lamda));
            lm.attach(pass.cos().getManager());
            return lm;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {super.getOutputShapes(inputShapes)[0], new Shape(1)};
        }
    }
}
