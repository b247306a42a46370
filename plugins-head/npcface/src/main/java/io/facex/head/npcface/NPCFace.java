package io.facex.head.npcface;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * NPCFace (Zeng et al., "NPCFace: Negative-Positive Collaborative Training for Large-scale Face
 * Recognition", 2020) as FaceX-Zoo's {@code head/NPCFace.py}: cosines clamped to [−1, 1]; a negative is
 * hard when its cosine passes φ = cos(θ_y + margin); the target's angular margin grows with the mean
 * cosine of the row's hard negatives, m' = m0 + m1·avg (applied while cos θ_y > 0); hard entries become
 * t·c + a; all scaled by s. The class matrix keeps FaceX-Zoo's name, {@code kernel}.
 */
public final class NPCFace extends ClassHead<NPCFace.Config> {

    /** FaceX-Zoo's fixed constants: base margin, margin slope, hard-negative scale and shift. */
    static final double M0 = 0.40;
    static final double M1 = 0.20;
    static final float T = 1.10f;
    static final float A = 0.20f;

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param margin m, the angular margin that sets the hard-negative threshold φ = cos(θ_y + m)
     * @param scale  s
     */
    public record Config(int featDim, int numClass, double margin, double scale) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public NPCFace() {
        super("NPCFace", "NPCFace (Zeng et al. 2020): target margin driven by the row's hard negatives",
                Config.class, new Config(512, 72778, 0.35, 32));
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

    /** The NPCFace rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private final Config c;

        Rule(Config c, HeadSize size) {
            super(size.featureDim(), size.numClasses(), "kernel");
            this.c = c;
        }

        @Override
        protected NDArray logits(Cosines pass) {
            NDArray target = pass.target();
            NDArray all = pass.cos().clip(-1f, 1f);
            NDArray g = pass.gt().clip(-1f, 1f);
            NDArray phi = arcMargin(g, c.margin());
            // masks and the mean hard-negative cosine carry no gradient
            NDArray hard = all.gt(phi).toType(all.getDataType(), false);
            NDArray hardNeg = hard.mul(target.neg().add(1f));
            NDArray avg = all.stopGradient().mul(hardNeg).sum(new int[] {1}, true)
                    .div(hardNeg.sum(new int[] {1}, true).maximum(Scalars.of(1f)));
            NDArray positive = g.gt(0f).toType(g.getDataType(), false);
            NDArray finalGt = arcMargin(g, avg.mul(Scalars.of((float) M1)).add((float) M0)).mul(positive)
                    .add(g.mul(positive.neg().add(1f)));
            NDArray moved = all.mul(hard.neg().add(1f)).add(all.mul(Scalars.of(T)).add(A).mul(hard));
            return pass.withTarget(moved, finalGt).mul(Scalars.of((float) c.scale()));
        }
    }
}
