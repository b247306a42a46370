package io.facex.head.amsoftmax;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * AM-Softmax (Wang et al., "Additive Margin Softmax for Face Verification", 2018) as FaceX-Zoo's
 * {@code head/AM_Softmax.py}: cosines clamped to [−1, 1], the target one lowered by m, all scaled by s.
 */
public final class AmSoftmax extends ClassHead<AmSoftmax.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param margin m, subtracted from the target cosine
     * @param scale  s
     */
    public record Config(int featDim, int numClass, double margin, double scale) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public AmSoftmax() {
        super("AM-Softmax", "AM-Softmax (Wang et al. 2018): additive cosine margin on the target",
                Config.class, new Config(512, 72778, 0.35, 32));
    }

    @Override
    protected void check(Config c) {
        inRange("margin", c.margin(), 2, true);
        CosineClassifier.validateScale("scale", c.scale());
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(c, size);
    }

    /** The AM-Softmax rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private final float margin;
        private final float scale;

        Rule(Config c, HeadSize size) {
            super(size.featureDim(), size.numClasses());
            this.margin = (float) c.margin();
            this.scale = (float) c.scale();
        }

        @Override
        protected NDArray logits(Cosines c) {
            // s · (clamp(cos) − m · one-hot): only the target column is lowered
            NDArray all = c.cos().clip(-1f, 1f);
            return c.withTarget(all, c.gt().clip(-1f, 1f).sub(margin)).mul(Scalars.of(scale));
        }
    }
}
