package io.facex.head.arcface;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * ArcFace (Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face Recognition", CVPR 2019) as
 * FaceX-Zoo's {@code head/ArcFace.py}: cosines clamped to [−1, 1], the target moved to cos(θ + m) while
 * θ + m ≤ π and to cos θ − margin_am beyond, all scaled by s.
 */
public final class ArcFace extends ClassHead<ArcFace.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param marginArc m, the additive angular margin
     * @param marginAm  the additive cosine margin used instead where θ + m would pass π
     * @param scale     s
     */
    public record Config(int featDim, int numClass, double marginArc, double marginAm, double scale) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public ArcFace() {
        super("ArcFace", "ArcFace (Deng et al. 2019): additive angular margin on the target",
                Config.class, new Config(512, 72778, 0.35, 0.0, 32));
    }

    @Override
    protected void check(Config c) {
        angle("margin_arc", c.marginArc());
        inRange("margin_am", c.marginAm(), 2, false);
        CosineClassifier.validateScale("scale", c.scale());
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(c, size);
    }

    /** The ArcFace rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private final Config c;
        private final float minCos;

        Rule(Config c, HeadSize size) {
            super(size.featureDim(), size.numClasses());
            this.c = c;
            this.minCos = (float) Math.cos(Math.PI - c.marginArc());
        }

        @Override
        protected NDArray logits(Cosines pass) {
            // FaceX-Zoo clamps every cosine, so the clamp also reaches the non-target logits
            NDArray all = pass.cos().clip(-1f, 1f);
            NDArray g = pass.gt().clip(-1f, 1f);
            // cos(θ + m) while θ + m ≤ π, else cos θ − margin_am; the mask carries no gradient
            NDArray inRange = g.gt(minCos).toType(g.getDataType(), false);
            NDArray fallback = g.sub((float) c.marginAm());
            NDArray finalGt = arcMargin(g, c.marginArc()).mul(inRange).add(fallback.mul(inRange.neg().add(1f)));
            return pass.withTarget(all, finalGt).mul(Scalars.of((float) c.scale()));
        }
    }
}
