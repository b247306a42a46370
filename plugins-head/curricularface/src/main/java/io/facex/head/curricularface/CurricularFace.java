package io.facex.head.curricularface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import io.facex.nn.Scalars;
import io.facex.api.HeadSize;
import io.facex.nn.ClassHead;
import io.facex.nn.CosineClassifier;

/**
 * CurricularFace (Huang et al., "CurricularFace: Adaptive Curriculum Learning Loss for Deep Face
 * Recognition", CVPR 2020) as FaceX-Zoo's {@code head/CurricularFace.py}: the ArcFace target (with
 * cos θ − m·sin(π − m) beyond θ + m = π), and every cosine above cos(θ_y + m) re-weighted to c·(t + c),
 * where t is a running mean of the target cosines kept as the non-trainable parameter {@code t}.
 */
public final class CurricularFace extends ClassHead<CurricularFace.Config> {

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param margin m, the additive angular margin
     * @param scale  s
     */
    public record Config(int featDim, int numClass, double margin, double scale) implements ClassHead.Sized {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public CurricularFace() {
        super("CurricularFace", "CurricularFace (Huang et al. 2020): angular margin with adaptive hard negatives",
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

    /** The CurricularFace rule on top of the shared cosine classifier. */
    static final class Rule extends CosineClassifier {

        private final Config c;
        private final float threshold;
        private final float mm;
        /** FaceX-Zoo's buffer {@code t}: saved with the model, never trained. */
        private final Parameter t;

        Rule(Config c, HeadSize size) {
            // FaceX-Zoo names the class matrix kernel and draws it from N(0, 0.01²)
            super(size.featureDim(), size.numClasses(), ClassMatrix.columns("kernel", new NormalInitializer(0.01f)));
            this.c = c;
            this.threshold = (float) Math.cos(Math.PI - c.margin());
            this.mm = (float) (Math.sin(Math.PI - c.margin()) * c.margin());
            this.t = addParameter(Parameter.builder()
                    .setName("t")
                    .setType(Parameter.Type.RUNNING_MEAN)
                    .optShape(new Shape(1))
                    .optInitializer(Initializer.ZEROS)
                    .optRequiresGrad(false)
                    .build());
        }

        @Override
        protected NDArray logits(Cosines pass) {
            NDArray all = pass.cos().clip(-1f, 1f);
            NDArray g = pass.gt().clip(-1f, 1f);
            NDArray phi = arcMargin(g, c.margin());
            // the masks carry no gradient; the hard set is taken against cos(θ_y + m) in both branches
            NDArray hard = all.gt(phi).toType(all.getDataType(), false);
            NDArray inRange = g.gt(threshold).toType(g.getDataType(), false);
            NDArray finalGt = phi.mul(inRange).add(g.sub(mm).mul(inRange.neg().add(1f)));
            // t ← 0.01·mean(g) + 0.99·t, before use and without gradient; like FaceX-Zoo, in eval too
            NDArray running = t.getArray();
            running.muli(0.99f).addi(g.stopGradient().mean().mul(Scalars.of(0.01f)));
            NDArray tNow = running.duplicate();
            tNow.attach(all.getManager());
            NDArray out = all.mul(all.add(tNow)).mul(hard).add(all.mul(hard.neg().add(1f)));
            return pass.withTarget(out, finalGt).mul(Scalars.of((float) c.scale()));
        }
    }
}
