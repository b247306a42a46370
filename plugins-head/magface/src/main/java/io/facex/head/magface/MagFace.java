package io.facex.head.magface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * MagFace (Meng et al., "MagFace: A Universal Representation for Face Recognition and Quality Assessment",
 * CVPR 2021) as FaceX-Zoo's {@code head/MagFace.py}: an ArcFace margin that grows with the feature's
 * magnitude a = clamp(‖f‖, l_a, u_a), m(a) linear from l_margin to u_margin; the second output λ·g(a) =
 * λ·(a/u_a² + 1/a) per face pulls a up, and is added (as its mean) to the cross-entropy.
 */
public final class MagFace extends ClassHead<MagFace.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param marginAm the additive cosine margin used instead where θ + m(a) would pass π
     * @param scale    s
     * @param lA       l_a, the lowest magnitude (and where the margin is l_margin)
     * @param uA       u_a, the highest magnitude (and where the margin is u_margin)
     * @param lMargin  the margin at l_a
     * @param uMargin  the margin at u_a
     * @param lamda    λ, the weight of the magnitude term g (FaceX-Zoo's spelling)
     */
    public record Config(int featDim, int numClass, double marginAm, double scale, double lA, double uA,
                         double lMargin, double uMargin, double lamda) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public MagFace() {
        super("MagFace", "MagFace (Meng et al. 2021): an angular margin growing with the feature magnitude",
                Config.class, new Config(512, 72778, 0.0, 64, 10, 110, 0.45, 0.8, 20));
    }

    @Override
    protected void check(Config c) {
        inRange("margin_am", c.marginAm(), 2, false);
        CosineClassifier.validateScale("scale", c.scale());
        // g has 1/a, so a must stay away from 0
        if (!(c.lA() > 0) || Double.isInfinite(c.lA())) {
            throw new InvalidConfigException("l_a", "must be positive and finite, got " + c.lA());
        }
        // m(a) divides by u_a − l_a
        if (!(c.uA() > c.lA()) || Double.isInfinite(c.uA())) {
            throw new InvalidConfigException("u_a", "must be finite and above l_a (" + c.lA() + "), got " + c.uA());
        }
        angle("l_margin", c.lMargin());
        angle("u_margin", c.uMargin());
        nonNegative("lamda", c.lamda());
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Rule(c, size);
    }

    /** The MagFace rule on top of the shared cosine classifier; the class matrix is {@code weight}. */
    static final class Rule extends CosineClassifier {

        private final Config c;

        Rule(Config c, HeadSize size) {
            super(size.featureDim(), size.numClasses(), ClassMatrix.columns("weight"));
            this.c = c;
        }

        /** a = clamp(‖f‖, l_a, u_a) (B, 1); outside the range it carries no gradient, as torch's clamp. */
        private NDArray magnitude(Cosines pass) {
            return pass.norms().clip((float) c.lA(), (float) c.uA());
        }

        @Override
        protected NDArray logits(Cosines pass) {
            NDArray a = magnitude(pass);
            // m(a) is not detached in FaceX-Zoo: the margin's gradient reaches the magnitude
            NDArray m = a.sub((float) c.lA()).mul(Scalars.of((float) ((c.uMargin() - c.lMargin()) / (c.uA() - c.lA()))))
                    .add((float) c.lMargin());
            NDArray all = pass.cos().clip(-1f, 1f);
            NDArray g = pass.gt().clip(-1f, 1f);
            NDArray phi = arcMargin(g, m);
            // θ + m(a) ≤ π, a threshold per row; the mask carries no gradient
            NDArray inRange = g.gt(m.neg().add((float) Math.PI).cos()).toType(g.getDataType(), false);
            NDArray fallback = g.sub((float) c.marginAm());
            NDArray finalGt = phi.mul(inRange).add(fallback.mul(inRange.neg().add(1f)));
            return pass.withTarget(all, finalGt).mul(Scalars.of((float) c.scale()));
        }

        /** λ·(a/u_a² + 1/a), shape (B, 1). */
        @Override
        protected NDArray secondTerm(Cosines pass) {
            NDArray a = magnitude(pass);
            return a.mul(Scalars.of((float) (1 / (c.uA() * c.uA())))).add(a.pow(Scalars.of(-1f))).mul(Scalars.of((float) c.lamda()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {super.getOutputShapes(inputShapes)[0], new Shape(inputShapes[0].get(0), 1)};
        }
    }
}
