package io.facex.head.mvsoftmax;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * MV-Softmax (Wang et al., "Mis-classified Vector Guided Softmax Loss", AAAI 2020) as FaceX-Zoo's
 * {@code head/MV_Softmax.py}: a margin on the target (AM or ArcFace form) and the mis-classified
 * ("hard") non-target cosines re-weighted to w·cos + w − 1, all scaled by s.
 */
public final class MvSoftmax extends ClassHead<MvSoftmax.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param isAm     1: additive cosine margin (AM-Softmax form); 0: additive angular margin (ArcFace form)
     * @param margin   m
     * @param mvWeight w, the weight of mis-classified vectors (1.12)
     * @param scale    s
     */
    public record Config(int featDim, int numClass, int isAm, double margin, double mvWeight, double scale) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public MvSoftmax() {
        super("MV-Softmax", "MV-Softmax (Wang et al. 2020): margin on the target, mis-classified vectors emphasised",
                Config.class, new Config(512, 72778, 1, 0.35, 1.12, 32));
    }

    @Override
    protected void check(Config c) {
        if (c.isAm() != 0 && c.isAm() != 1) {
            throw new InvalidConfigException("is_am", "must be 1 (AM form) or 0 (ArcFace form), got " + c.isAm());
        }
        if (!(c.margin() >= 0 && c.margin() < Math.PI / 2)) {
            throw new InvalidConfigException("margin", "must be in [0, π/2), got " + c.margin());
        }
        if (!(c.mvWeight() >= 1)) {
            throw new InvalidConfigException("mv_weight", "must be ≥ 1, got " + c.mvWeight());
        }
        CosineClassifier.validateScale("scale", c.scale());
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(c, size);
    }

    /** The MV-Softmax rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private final Config c;

        Rule(Config c, HeadSize size) {
            super(size.featureDim(), size.numClasses());
            this.c = c;
        }

        @Override
        protected NDArray logits(Cosines pass) {
            NDArray cos = pass.cos();
            NDArray gt = pass.gt();
            float m = (float) c.margin();
            NDArray hardThreshold;
            NDArray finalGt;
            if (c.isAm() == 1) {
                hardThreshold = gt.sub(m);
                // target − m only where the target cosine exceeds m, as FaceX-Zoo does
                finalGt = gt.sub(gt.gt(m).toType(gt.getDataType(), false).mul(Scalars.of(m)));
            } else {
                NDArray phi = arcMargin(gt, c.margin());
                hardThreshold = phi;
                NDArray positive = gt.gt(0f).toType(gt.getDataType(), false);
                finalGt = phi.mul(positive).add(gt.mul(positive.neg().add(1f)));
            }
            float w = (float) c.mvWeight();
            // hard entries become w·cos + w − 1 = cos + (w−1)(cos+1); the mask carries no gradient
            NDArray hard = cos.gt(hardThreshold).toType(cos.getDataType(), false);
            NDArray out = cos.add(hard.mul(cos.add(1f)).mul(Scalars.of(w - 1f)));
            return pass.withTarget(out, finalGt).mul(Scalars.of((float) c.scale()));
        }
    }
}
