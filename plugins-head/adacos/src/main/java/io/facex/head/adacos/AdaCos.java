package io.facex.head.adacos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * AdaCos (Zhang et al., "AdaCos: Adaptively Scaling Cosine Logits for Effectively Learning Deep Face
 * Representations", CVPR 2019) as FaceX-Zoo's {@code head/AdaCos.py}: plain cosine logits, no margin,
 * times a scale s that every call (training or not) resets from the batch before using it:
 * s = ln(B_avg) / cos(min(π/4, θ_med)), with B_avg the sum of exp(s_old·cos) over the non-target entries
 * divided by the batch size and θ_med the lower median of the target angles; s starts at √2·ln(C − 1).
 *
 * <p>FaceX-Zoo keeps s as a plain attribute, so a reloaded model starts again from s₀ (spec §9.3); here
 * it is the non-trainable parameter {@code scale}, saved with the model so a resumed run goes on exactly.
 */
public final class AdaCos extends ClassHead<AdaCos.Config> {

    /** FaceX-Zoo's {@code head_conf.yaml} section: the sizes only, the scale is adaptive. */
    public record Config(int featDim, int numClass) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public AdaCos() {
        super("AdaCos", "AdaCos (Zhang et al. 2019): cosine logits with an adaptive scale",
                Config.class, new Config(512, 72778));
    }

    @Override
    protected void check(Config c) {
        if (c.numClass() < 3) {
            // s₀ = √2·ln(C − 1) is 0 for two classes, and then B_avg = 1 keeps it at 0 for ever
            throw new InvalidConfigException("num_class", "AdaCos needs at least 3 classes, got " + c.numClass());
        }
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(size);
    }

    /** The initial scale √2·ln(C − 1). */
    static float initialScale(int numClass) {
        return (float) (Math.sqrt(2) * Math.log(numClass - 1));
    }

    /** The AdaCos rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private static final float CLAMP = (float) (1.0 - 1e-7);

        /** The adaptive scale s: saved with the model, never trained. */
        private final Parameter scale;

        Rule(HeadSize size) {
            // FaceX-Zoo's W is (num_class, feat_dim), xavier_uniform_: bound √(6/(fan_in + fan_out)); DJL's
            // AVG factor divides the magnitude by (fan_in + fan_out)/2, hence magnitude 3
            super(size.featureDim(), size.numClasses(), ClassMatrix.rows("W",
                    new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3)));
            float s0 = initialScale(size.numClasses());
            this.scale = addParameter(Parameter.builder()
                    .setName("scale")
                    .setType(Parameter.Type.RUNNING_MEAN)
                    .optShape(new Shape(1))
                    .optInitializer((manager, shape, type) -> manager.full(shape, s0, type))
                    .optRequiresGrad(false)
                    .build());
        }

        /** B_avg sums over every class, so a pass that sees only some of them would set another scale. */
        @Override
        protected boolean sampleable() {
            return false;
        }

        @Override
        protected NDArray logits(Cosines pass) {
            NDArray cos = pass.cos();
            NDArray c = cos.stopGradient();
            NDArray sOld = scale.getArray();
            // torch.where, not a product with the mask: an overflowing exp at a target entry stays out of the sum
            NDArray exp = c.mul(sOld).exp();
            NDArray nonTarget = pass.target().lt(1f);
            NDArray bAvg = NDArrays.where(nonTarget, exp, exp.zerosLike()).sum().div((float) c.getShape().get(0));
            // torch.median: the lower of the two middle values for an even batch
            NDArray targetTheta = pass.gt().stopGradient().clip(-CLAMP, CLAMP).acos().flatten().sort();
            NDArray thetaMed = targetTheta.get((targetTheta.size() - 1) / 2);
            NDArray sNew = bAvg.log().div(thetaMed.minimum(Scalars.of((float) (Math.PI / 4))).cos()).reshape(1);
            sOld.set(new NDIndex(":"), sNew);
            return cos.mul(sNew);
        }
    }
}
