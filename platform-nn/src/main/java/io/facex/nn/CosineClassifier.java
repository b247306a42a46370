package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The shared core of FaceX-Zoo's margin heads (AM, ArcFace, MV-Softmax, NPCFace, ...): a class matrix
 * {@code weight} (featDim, numClass) with renorm initialisation, cosine logits between L2-normalised
 * features and L2-normalised class columns, and the target cosine of each row. Subclasses turn those
 * into logits with their margin rule.
 *
 * <p>Forward input: (features (B, featDim), labels (B) int64); output: (logits (B, numClass)).
 */
public abstract class CosineClassifier extends AbstractBlock {

    private final int featDim;
    private final int numClass;
    private final Parameter weight;

    protected CosineClassifier(int featDim, int numClass) {
        this(featDim, numClass, "weight", new RenormInitializer());
    }

    /**
     * As {@link #CosineClassifier(int, int)}, with the class matrix under FaceX-Zoo's own name for it
     * (NPCFace calls it {@code kernel}), so checkpoints map one to one.
     */
    protected CosineClassifier(int featDim, int numClass, String name) {
        this(featDim, numClass, name, new RenormInitializer());
    }

    /**
     * For heads whose FaceX-Zoo file names or initialises the class matrix differently (CurricularFace's
     * {@code kernel}, drawn from N(0, 0.01²)).
     *
     * @param name        the class matrix's parameter name, as in FaceX-Zoo's state dict
     * @param initializer its initialiser
     */
    protected CosineClassifier(int featDim, int numClass, String name, Initializer initializer) {
        super((byte) 1);
        this.featDim = featDim;
        this.numClass = numClass;
        this.weight = addParameter(Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(featDim, numClass))
                .optInitializer(initializer)
                .build());
    }

    /** The sizes every FaceX-Zoo head section states: {@code feat_dim} positive, {@code num_class} at least 2. */
    public static void validateSize(int featDim, int numClass) {
        if (featDim <= 0) {
            throw new io.facex.api.InvalidConfigException("feat_dim", "must be positive, got " + featDim);
        }
        if (numClass < 2) {
            throw new io.facex.api.InvalidConfigException("num_class", "needs at least 2 classes, got " + numClass);
        }
    }

    /** A head's scale (s, or CircleLoss's γ): positive and finite, named by its key. */
    public static void validateScale(String key, double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new io.facex.api.InvalidConfigException(key, "must be positive and finite, got " + scale);
        }
    }

    /**
     * The head's rule.
     *
     * @param cos    (B, C) cosines, to be modified into logits (not yet scaled)
     * @param target (B, C) one-hot of the labels
     * @param gt     (B, 1) the target cosine of each row
     */
    protected abstract NDArray logits(NDArray cos, NDArray target, NDArray gt);

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = inputs.get(0);
        NDArray labels = inputs.get(1);
        NDManager m = features.getManager();
        NDArray w = store.getValue(weight, features.getDevice(), training);
        NDArray x = l2Normalize(features, 1, m);
        // Ops whose first operand is the parameter land in the model's manager: move them to the batch's.
        NDArray wn = own(w.div(own(w.norm(new int[] {0}, true), m).maximum(1e-12f)), m);
        NDArray cos = x.matMul(wn);
        NDArray target = labels.oneHot(numClass).toType(cos.getDataType(), false);
        NDArray gt = cos.mul(target).sum(new int[] {1}, true);
        return new NDList(logits(cos, target, gt));
    }

    /**
     * The additive angular margin on cosines, cos(θ + m) = c·cos m − √(1 − c²)·sin m, as FaceX-Zoo's
     * ArcFace and MV-Softmax (arc form) compute it. Valid for θ + m ≤ π; callers choose the fallback.
     */
    public static NDArray arcMargin(NDArray c, double m) {
        NDArray sin = c.square().neg().add(1f).sqrt();
        return c.mul((float) Math.cos(m)).sub(sin.mul((float) Math.sin(m)));
    }

    /**
     * {@link #arcMargin(NDArray, double)} with a margin per row: {@code m} (B, 1) broadcasts over the
     * columns of {@code c}. No gradient flows into {@code m}.
     */
    public static NDArray arcMargin(NDArray c, NDArray m) {
        NDArray fixed = m.stopGradient();
        NDArray sin = c.square().neg().add(1f).sqrt();
        return c.mul(fixed.cos()).sub(sin.mul(fixed.sin()));
    }

    /** {@code F.normalize(x, dim=axis)}: x / max(‖x‖₂, 1e-12). */
    public static NDArray l2Normalize(NDArray x, int axis, NDManager m) {
        return x.div(x.norm(new int[] {axis}, true).maximum(1e-12f));
    }

    private static NDArray own(NDArray a, NDManager m) {
        a.attach(m);
        return a;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), numClass)};
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        if (inputShapes[0].get(inputShapes[0].dimension() - 1) != featDim) {
            throw new IllegalArgumentException("head expects " + featDim + "-d features, got " + inputShapes[0]);
        }
    }
}
