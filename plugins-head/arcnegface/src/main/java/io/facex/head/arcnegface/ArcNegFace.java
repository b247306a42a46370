package io.facex.head.arcnegface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.Block;
import ai.djl.training.initializer.UniformInitializer;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * ArcNegFace (Liu et al., "Towards Flops-constrained Face Recognition", ICCV workshops 2019) as FaceX-Zoo's
 * {@code head/ArcNegFace.py}: the ArcFace target a = cos(acos(c_y) + m), or c_y − m·sin(π − m) beyond
 * θ + m = π, and every other cosine c re-weighted to t·c + t − 1 with t = α·exp(−(c − a)²/σ), α = 1.2,
 * σ = 2, all scaled by s. Cosines are not clamped; the class matrix holds one class per row.
 */
public final class ArcNegFace extends ClassHead<ArcNegFace.Config> {

    /** FaceX-Zoo fixes these in the constructor, not in head_conf.yaml. */
    static final float ALPHA = 1.2f;
    static final float SIGMA = 2f;

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param margin m, the additive angular margin
     * @param scale  s
     */
    public record Config(int featDim, int numClass, double margin, double scale) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public ArcNegFace() {
        super("ArcNegFace", "ArcNegFace (Liu et al. 2019): angular margin with hard negatives re-weighted",
                Config.class, new Config(512, 72778, 0.5, 64));
    }

    @Override
    protected void check(Config c) {
        angle("margin", c.margin());
        CosineClassifier.validateScale("scale", c.scale());
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(c, size);
    }

    /** The ArcNegFace rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private final Config c;
        private final float threshold;
        private final float mm;

        Rule(Config c, HeadSize size) {
            // FaceX-Zoo's weight is (num_class, feat_dim), drawn from U(±1/√feat_dim)
            super(size.featureDim(), size.numClasses(), ClassMatrix.rows("weight",
                    new UniformInitializer((float) (1 / Math.sqrt(size.featureDim())))));
            this.c = c;
            this.threshold = (float) Math.cos(Math.PI - c.margin());
            this.mm = (float) (Math.sin(Math.PI - c.margin()) * c.margin());
        }

        @Override
        protected NDArray logits(Cosines pass) {
            NDArray cos = pass.cos();
            NDArray g = pass.gt();
            // FaceX-Zoo tests the unclamped target cosine; the branch masks carry no gradient
            NDArray inRange = g.gt(threshold);
            // acos then cos, literally, so the gradient is FaceX-Zoo's wherever it is finite. Where FaceX-Zoo
            // gets NaN (a target cosine at or past 1: acos' slope is infinite) the target is cos m, its value
            // at θ = 0, with no gradient; acos never sees a fallback row, as in FaceX-Zoo.
            NDArray interior = inRange.logicalAnd(g.lt(1f));
            NDArray arc = NDArrays.where(interior, g, g.zerosLike()).acos().add((float) c.margin()).cos();
            NDArray atOne = g.zerosLike().add((float) Math.cos(c.margin()));
            NDArray a = NDArrays.where(interior, arc, NDArrays.where(inRange, atOne, g.sub(mm)));
            // FaceX-Zoo detaches the weights and reads a through .item(): no gradient through t
            NDArray t = cos.stopGradient().sub(a.stopGradient()).square().neg().div(Scalars.of(SIGMA)).exp().mul(Scalars.of(ALPHA));
            NDArray others = t.mul(cos).add(t).sub(1f);
            return pass.withTarget(others, a).mul(Scalars.of((float) c.scale()));
        }
    }
}
