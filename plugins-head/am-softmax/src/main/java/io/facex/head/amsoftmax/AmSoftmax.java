package io.facex.head.amsoftmax;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.nn.CosineClassifier;

import java.util.Optional;

/**
 * AM-Softmax (Wang et al., "Additive Margin Softmax for Face Verification", 2018) as FaceX-Zoo's
 * {@code head/AM_Softmax.py}: cosines clamped to [−1, 1], the target one lowered by m, all scaled by s.
 */
public final class AmSoftmax extends AbstractPlugin<AmSoftmax.Config> implements Head<AmSoftmax.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param margin m, subtracted from the target cosine
     * @param scale  s
     */
    public record Config(int featDim, int numClass, double margin, double scale) {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public AmSoftmax() {
        super("AM-Softmax", "AM-Softmax (Wang et al. 2018): additive cosine margin on the target",
                Config.class, new Config(512, 72778, 0.35, 32));
    }

    @Override
    public void validate(Config c) {
        CosineClassifier.validateSize(c.featDim(), c.numClass());
        if (!(c.margin() >= 0 && c.margin() <= 2)) {
            throw new InvalidConfigException("margin", "must be in [0, 2] (a cosine margin), got " + c.margin());
        }
        CosineClassifier.validateScale("scale", c.scale());
    }

    /** FaceX-Zoo's file states the sizes; the platform checks them against the backbone and the data. */
    @Override
    public Optional<HeadSize> declaredSize(Config c) {
        return Optional.of(new HeadSize(c.featDim(), c.numClass()));
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
            return c.withTarget(all, c.gt().clip(-1f, 1f).sub(margin)).mul(scale);
        }
    }
}
