package io.facex.head.circleloss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * Circle loss (Sun et al., "Circle Loss: A Unified Perspective of Pair Similarity Optimization", CVPR
 * 2020) in its classification form, as FaceX-Zoo's {@code head/CircleLoss.py}: cosines c clamped to
 * [−1, 1]; the target becomes α_p(c − (1 − m)), every other entry α_n(c − m), with the self-paced weights
 * α_p = max(1 + m − c, 0) and α_n = max(c + m, 0) taken as constants (no gradient); all scaled by γ.
 */
public final class CircleLoss extends ClassHead<CircleLoss.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param margin m, the relaxation: optima 1 + m and −m, decision margins 1 − m and m
     * @param gamma  γ, the scale
     */
    public record Config(int featDim, int numClass, double margin, double gamma) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public CircleLoss() {
        super("CircleLoss", "Circle loss (Sun et al. 2020): self-paced weights on target and non-target cosines",
                Config.class, new Config(512, 72778, 0.25, 256));
    }

    @Override
    protected void check(Config c) {
        inRange("margin", c.margin(), 1, true);
        CosineClassifier.validateScale("gamma", c.gamma());
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(c, size);
    }

    /** The circle rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private final float margin;
        private final float gamma;

        Rule(Config c, HeadSize size) {
            super(size.featureDim(), size.numClasses());
            this.margin = (float) c.margin();
            this.gamma = (float) c.gamma();
        }

        @Override
        protected NDArray logits(Cosines pass) {
            // the weights are detached in FaceX-Zoo: gradients flow only through the (c − δ) factors
            NDArray c = pass.cos().clip(-1f, 1f);
            NDArray neg = c.stopGradient().add(margin).maximum(Scalars.of(0f)).mul(c.sub(margin));
            NDArray g = pass.gt().clip(-1f, 1f);
            NDArray pos = g.stopGradient().neg().add(1f + margin).maximum(Scalars.of(0f)).mul(g.sub(1f - margin));
            return pass.withTarget(neg, pos).mul(Scalars.of(gamma));
        }
    }
}
