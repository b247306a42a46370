package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * The shared core of FaceX-Zoo's margin heads (AM, ArcFace, MV-Softmax, NPCFace, AdaCos, MagFace, ...): a
 * class matrix with one vector per class, cosine logits between L2-normalised features and L2-normalised
 * class vectors, and the target cosine of each row. Subclasses turn those into logits with their rule.
 *
 * <p>Forward input: (features (B, featDim), labels (B) int64); output: (logits (B, numClass)), then the
 * rule's {@linkplain #secondTerm second loss term} if it has one.
 *
 * <p>With {@link #sampleClasses} (Partial FC, An et al. 2021) a training pass scores only the batch's own
 * classes and a random share of the others: the logits are (B, k), a third output gives each row's target
 * column among them, and only the k sampled rows of the class matrix are read, differentiated and (through
 * {@link #stepSampled}) updated. At the default rate of 1 none of this runs and the numbers are FaceX-Zoo's.
 */
public abstract class CosineClassifier extends AbstractBlock {

    /**
     * How FaceX-Zoo stores a head's class vectors: its parameter name, whether the matrix is
     * (numClass, featDim) with one class per row (AdaCos, ArcNegFace) or (featDim, numClass) with one per
     * column (the others), and its initialiser.
     */
    public record ClassMatrix(String name, boolean classesFirst, Initializer initializer) {

        /** (featDim, numClass), FaceX-Zoo's renorm initialisation: unit class columns. */
        public static ClassMatrix columns(String name) {
            return new ClassMatrix(name, false, new RenormInitializer());
        }

        /** (featDim, numClass) with another initialiser. */
        public static ClassMatrix columns(String name, Initializer initializer) {
            return new ClassMatrix(name, false, initializer);
        }

        /** (numClass, featDim): one class per row. */
        public static ClassMatrix rows(String name, Initializer initializer) {
            return new ClassMatrix(name, true, initializer);
        }
    }

    private final int featDim;
    private final int numClass;
    private final boolean classesFirst;
    private final Parameter weight;
    private ClassSampler sampler;
    /** The sampled rows of the pass under way, kept for {@link #stepSampled}. */
    private ClassSampler.Draw draw;

    protected CosineClassifier(int featDim, int numClass) {
        this(featDim, numClass, ClassMatrix.columns("weight"));
    }

    /**
     * As {@link #CosineClassifier(int, int)}, with the class matrix under FaceX-Zoo's own name for it
     * (NPCFace calls it {@code kernel}), so checkpoints map one to one.
     */
    protected CosineClassifier(int featDim, int numClass, String name) {
        this(featDim, numClass, ClassMatrix.columns(name));
    }

    protected CosineClassifier(int featDim, int numClass, ClassMatrix matrix) {
        super((byte) 1);
        this.featDim = featDim;
        this.numClass = numClass;
        this.classesFirst = matrix.classesFirst();
        this.weight = addParameter(Parameter.builder()
                .setName(matrix.name())
                .setType(Parameter.Type.WEIGHT)
                .optShape(matrix.classesFirst() ? new Shape(numClass, featDim) : new Shape(featDim, numClass))
                .optInitializer(matrix.initializer())
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

    /** The class matrix (FaceX-Zoo's weight, kernel or W). */
    public Parameter classMatrix() {
        return weight;
    }

    /** Whether the class matrix is (numClass, featDim), one class per row. */
    public boolean classesFirst() {
        return classesFirst;
    }

    /**
     * The rule's logits (B, C), from the cosines of one pass. Called before {@link #secondTerm}.
     */
    protected abstract NDArray logits(Cosines c);

    /**
     * A second loss term the training loop adds as its mean (AdaM-Softmax's λ·Lm, MagFace's λ·g), or null.
     * Called after {@link #logits} on the same pass.
     */
    protected NDArray secondTerm(Cosines c) {
        return null;
    }

    /**
     * Whether the rule keeps its meaning when a pass sees only some classes. AdaCos does not: its scale
     * is set from the sum over all non-target classes.
     */
    protected boolean sampleable() {
        return true;
    }

    /**
     * Partial FC: from now on each training pass scores every class of its batch and a random share of
     * the others, {@code rate} of all classes in total. Inference passes still score every class.
     *
     * @param rate in (0, 1]; 1 turns sampling off
     * @param seed the draws' seed; the n-th pass draws the same classes in every run with this seed
     */
    public void sampleClasses(double rate, long seed) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("sample_rate must be in (0, 1], got " + rate);
        }
        if (rate < 1 && !sampleable()) {
            throw new IllegalArgumentException("this head cannot sample classes (its rule needs every class)");
        }
        sampler = rate < 1 ? new ClassSampler(numClass, rate, seed) : null;
        // While sampling, the whole matrix is outside autograd: the optimizer's dense step must skip it
        // (DJL would hand it a zero gradient of the matrix's size, and weight decay would move every class).
        if (weight.isInitialized()) {
            weight.getArray().setRequiresGradient(sampler == null);
        }
    }

    /** The sampler's position (passes drawn so far), for checkpoints; -1 when not sampling. */
    public long sampledPasses() {
        return sampler == null ? -1 : sampler.passes();
    }

    /** Restores the sampler's position from a checkpoint, so a resumed run draws what it would have. */
    public void resumeSampling(long passes) {
        if (sampler != null) {
            sampler.seek(passes);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = inputs.get(0);
        NDArray labels = inputs.get(1);
        NDManager m = features.getManager();
        NDArray w;
        NDArray targets = labels;
        ClassSampler.Draw d = null;
        if (sampler != null && training) {
            d = sampler.draw(labels, m);
            // A fresh leaf of the drawn class vectors: the full matrix gets no gradient, so
            // nothing of its size is allocated in the pass.
            NDArray all = store.getValue(weight, features.getDevice(), false).stopGradient();
            NDArray rows = all.get(classesFirst ? new NDIndex("{}", d.index()) : new NDIndex(":, {}", d.index()));
            rows.attach(m);
            rows.setRequiresGradient(true);
            d.rows(rows);
            w = rows;
            targets = d.targets();
        } else {
            w = store.getValue(weight, features.getDevice(), training);
        }
        NDArray norms = features.norm(new int[] {1}, true);
        NDArray x = features.div(norms.maximum(Scalars.of(1e-12f)));
        // Ops whose first operand is the parameter land in the model's manager: move them to the batch's.
        int axis = classesFirst ? 1 : 0;
        NDArray wn = own(w.div(own(w.norm(new int[] {axis}, true), m).maximum(Scalars.of(1e-12f))), m);
        NDArray cos = classesFirst ? x.matMul(wn.transpose()) : x.matMul(wn);
        Cosines c = new Cosines(features, norms, labels, targets, cos, store, training, d);
        NDList out = new NDList(logits(c));
        NDArray second = secondTerm(c);
        if (second != null) {
            out.add(second);
        }
        if (d != null) {
            if (second == null) {
                out.add(m.zeros(new Shape(1)));
            }
            out.add(targets);
            draw = d;
        }
        return out;
    }

    /**
     * After a sampled pass's backward: SGD on the drawn rows of the class matrix and of its momentum
     * buffer, as Partial FC updates its sampled centres (the other rows, their momentum and their weight
     * decay wait until they are drawn). Does nothing when the last pass was not sampled.
     *
     * @param key the class matrix's name in the optimizer (its checkpoint key)
     */
    public void stepSampled(TorchSgd sgd, String key, double lr) {
        ClassSampler.Draw d = draw;
        draw = null;
        if (d == null) {
            return;
        }
        sgd.stepRows(key, weight.getArray(), classesFirst ? 0 : 1, d.index(), d.rows(), lr);
    }

    /**
     * One pass as a rule sees it: the raw features and their norms, the labels, the cosines (B, C) and,
     * made on first use, the one-hot of the targets and each row's target cosine.
     */
    protected static final class Cosines {
        private final NDArray features;
        private final NDArray norms;
        private final NDArray labels;
        private final NDArray targets;
        private final NDArray cos;
        private final ParameterStore store;
        private final boolean training;
        private final ClassSampler.Draw draw;
        private NDArray target;
        private NDArray gt;

        Cosines(NDArray features, NDArray norms, NDArray labels, NDArray targets, NDArray cos, ParameterStore store,
                boolean training, ClassSampler.Draw draw) {
            this.features = features;
            this.norms = norms;
            this.labels = labels;
            this.targets = targets;
            this.cos = cos;
            this.store = store;
            this.training = training;
            this.draw = draw;
        }

        /** The features as the backbone gave them (B, featDim). */
        public NDArray features() {
            return features;
        }

        /** ‖f‖₂ of each row (B, 1), with gradient (MagFace's feature magnitude). */
        public NDArray norms() {
            return norms;
        }

        /** The labels (B) int64. */
        public NDArray labels() {
            return labels;
        }

        /** Cosines (B, C) between normalised features and class vectors, unclamped. */
        public NDArray cos() {
            return cos;
        }

        /** The one-hot (B, C) of each row's target column, in the cosines' type. */
        public NDArray target() {
            if (target == null) {
                target = targets.oneHot((int) cos.getShape().get(1), cos.getDataType());
            }
            return target;
        }

        /** The target cosine of each row (B, 1). */
        public NDArray gt() {
            if (gt == null) {
                gt = cos.gather(targetIndex(), 1);
            }
            return gt;
        }

        /** {@code out} with each row's target entry replaced by {@code value} (B, 1); gradients flow to both. */
        public NDArray withTarget(NDArray out, NDArray value) {
            return out.scatter(targetIndex(), value, 1);
        }

        /** A per-class array (1, C) restricted to the classes this pass scores. */
        public NDArray columns(NDArray perClass) {
            return draw == null ? perClass : perClass.get(new NDIndex(":, {}", draw.index()));
        }

        /** A parameter's value for this pass. */
        public NDArray value(Parameter p) {
            return store.getValue(p, cos.getDevice(), training);
        }

        /** Whether the pass is a training pass. */
        public boolean training() {
            return training;
        }

        private NDArray targetIndex() {
            return targets.reshape(-1, 1);
        }
    }

    /**
     * The additive angular margin on cosines, cos(θ + m) = c·cos m − √(1 − c²)·sin m, as FaceX-Zoo's
     * ArcFace and MV-Softmax (arc form) compute it. Valid for θ + m ≤ π; callers choose the fallback.
     * Where FaceX-Zoo gets NaN — c at or past ±1, where the square root's slope is infinite (or, unclamped,
     * its argument negative) — the result is ±cos m, the value at θ = 0 or π, with the clamp's gradient;
     * everywhere else value and gradient are FaceX-Zoo's.
     */
    public static NDArray arcMargin(NDArray c, double m) {
        return arcMargin(c, (float) Math.cos(m), (float) Math.sin(m), null);
    }

    /**
     * {@link #arcMargin(NDArray, double)} with a margin per row: {@code m} (B, 1) broadcasts over the
     * columns of {@code c}; the gradient reaches {@code m} when it has one (MagFace's margin depends on
     * the feature's magnitude).
     */
    public static NDArray arcMargin(NDArray c, NDArray m) {
        return arcMargin(c, 0f, 0f, m);
    }

    private static NDArray arcMargin(NDArray c, float cosM, float sinM, NDArray m) {
        NDArray interior = c.abs().lt(1f);
        NDArray safe = NDArrays.where(interior, c, c.zerosLike());
        NDArray sin = safe.square().neg().add(1f).sqrt();
        NDArray inside = m == null ? c.mul(Scalars.of(cosM)).sub(sin.mul(Scalars.of(sinM))) : c.mul(m.cos()).sub(sin.mul(m.sin()));
        NDArray edge = m == null ? c.clip(-1f, 1f).mul(Scalars.of(cosM)) : c.clip(-1f, 1f).mul(m.cos());
        return NDArrays.where(interior, inside, edge);
    }

    /** {@code F.normalize(x, dim=axis)}: x / max(‖x‖₂, 1e-12). */
    public static NDArray l2Normalize(NDArray x, int axis) {
        return x.div(x.norm(new int[] {axis}, true).maximum(Scalars.of(1e-12f)));
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
