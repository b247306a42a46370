package io.facex.head.sstprototype;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.facex.nn.Scalars;
import io.facex.api.AbstractPlugin;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.nn.CosineClassifier;
import io.facex.nn.PrototypeQueue;
import io.facex.nn.RenormInitializer;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The prototype queue of semi-siamese training (Du et al., "Semi-Siamese Training for Shallow Face
 * Learning", ECCV 2020) as FaceX-Zoo's {@code head/SST_Prototype.py}: each probe view is classified
 * against a queue of gallery features in which its own batch's columns hold the other view's gallery
 * features, with an AM or arc margin on that target; afterwards one gallery view (picked by the coin)
 * replaces those columns. No weights are learnt; the queue, its identities and its write position are
 * non-trainable parameters, so checkpoints carry them.
 */
public final class SstPrototype extends AbstractPlugin<SstPrototype.Config> implements Head<SstPrototype.Config> {

    static final List<String> LOSS_TYPES = List.of("softmax", "am_softmax", "arc_softmax");

    /**
     * FaceX-Zoo's {@code head_conf.yaml} section.
     *
     * @param featDim   the gallery features' size
     * @param queueSize columns in the queue; the batch size must divide it
     * @param scale     s
     * @param lossType  softmax (no margin), am_softmax (cos − m) or arc_softmax (cos(θ + m))
     * @param margin    m
     */
    public record Config(int featDim, int queueSize, double scale, String lossType, double margin) {
    }

    /** FaceX-Zoo's head_conf.yaml values. */
    public SstPrototype() {
        super("SST_Prototype", "SST prototype (Du et al. 2020): probes classified against a queue of gallery features",
                Config.class, new Config(512, 16384, 32.0, "am_softmax", 0.35));
    }

    @Override
    public void validate(Config c) {
        if (c.featDim() <= 0) {
            throw new InvalidConfigException("feat_dim", "must be positive, got " + c.featDim());
        }
        if (c.queueSize() <= 0) {
            throw new InvalidConfigException("queue_size", "must be positive, got " + c.queueSize());
        }
        CosineClassifier.validateScale("scale", c.scale());
        if (c.lossType() == null || !LOSS_TYPES.contains(c.lossType())) {
            throw new InvalidConfigException("loss_type", "must be one of " + String.join(", ", LOSS_TYPES) + ", got '"
                    + c.lossType() + "'" + suggestion(c.lossType()));
        }
        if (!(c.margin() >= 0) || Double.isInfinite(c.margin())) {
            throw new InvalidConfigException("margin", "must be non-negative and finite, got " + c.margin());
        }
    }

    /** FaceX-Zoo's section states feat_dim; the queue needs no class count. */
    @Override
    public Optional<HeadSize> declaredSize(Config c) {
        return Optional.of(new HeadSize(c.featDim(), 0));
    }

    @Override
    public boolean needsClassCount() {
        return false;
    }

    @Override
    public Block build(Config c, HeadSize size) {
        return new Queue(c, size.featureDim());
    }

    private static String suggestion(String given) {
        if (given == null) {
            return "";
        }
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : LOSS_TYPES) {
            int d = distance(k, given.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return bestD <= 3 ? " (did you mean " + best + "?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The queue and its forward pass; see {@link PrototypeQueue} for the inputs and outputs. */
    static final class Queue extends AbstractBlock implements PrototypeQueue {

        private final Config c;
        private final int queueSize;
        /** (featDim, queueSize): one gallery feature per column, as FaceX-Zoo's buffer. */
        private final Parameter queue;
        /**
         * The identity of each column, −1 while empty (FaceX-Zoo's Python list). float32 so that every
         * state array has one type; it holds identities exactly below 2^24 (16.7 M, far above the data sets').
         */
        private final Parameter labelList;
        /** The write position (FaceX-Zoo's int attribute), float32 like the rest. */
        private final Parameter index;

        Queue(Config c, int featDim) {
            super((byte) 1);
            this.c = c;
            this.queueSize = c.queueSize();
            this.queue = addParameter(state("queue", new Shape(featDim, queueSize), (m, shape, type) -> {
                // FaceX-Zoo renorms the columns to ≈ 1, then normalises them exactly (F.normalize, dim 0)
                try (NDManager tmp = m.newSubManager()) {
                    NDArray w = new RenormInitializer().initialize(tmp, shape, type);
                    NDArray out = CosineClassifier.l2Normalize(w, 0);
                    out.attach(m);
                    return out;
                }
            }));
            this.labelList = addParameter(state("label_list", new Shape(queueSize), (m, shape, type) -> m.full(shape, -1f, type)));
            this.index = addParameter(state("index", new Shape(1), Initializer.ZEROS));
        }

        private static Parameter state(String name, Shape shape, Initializer init) {
            return Parameter.builder()
                    .setName(name)
                    .setType(Parameter.Type.RUNNING_MEAN)
                    .optShape(shape)
                    .optInitializer(init)
                    .optRequiresGrad(false)
                    .build();
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
            if (in.size() != 6) {
                throw new IllegalArgumentException("SST_Prototype takes (p1, g2, p2, g1, ids, coin), got " + in.size() + " arrays");
            }
            NDArray p1 = in.get(0);
            NDManager m = p1.getManager();
            int b = Math.toIntExact(p1.getShape().get(0));
            if (queueSize % b != 0) {
                throw new InvalidConfigException("queue_size", "must be a multiple of the batch size (the queue moves by one "
                        + "batch per step, FaceX-Zoo's index wraps at queue_size): " + queueSize + " is not a multiple of " + b);
            }
            int at = (int) index.getArray().toFloatArray()[0];
            if (at % b != 0) {
                throw new IllegalStateException("the queue's write position " + at + " is not a multiple of the batch size "
                        + b + ": this queue was filled with another batch size");
            }
            NDArray x1 = normalize(p1);
            NDArray y2 = normalize(in.get(1)).stopGradient();
            NDArray x2 = normalize(in.get(2));
            NDArray y1 = normalize(in.get(3)).stopGradient();
            NDArray ids = in.get(4);
            boolean firstView = in.get(5).toFloatArray()[0] > 0.5f;
            NDArray q = queue.getArray();
            // Autograd keeps the queue for the backward pass; the update below writes into it in place, so
            // the logits see a snapshot (FaceX-Zoo clones it per view for the same reason). Native memory only.
            NDArray frozen = q.duplicate();
            frozen.attach(m);
            NDArray labels = m.arange(at, at + b, 1, DataType.INT64);
            NDArray logits1 = logits(x1, y2, frozen, at, b);
            NDArray logits2 = logits(x2, y1, frozen, at, b);
            NDArray entering = firstView ? y1 : y2;
            q.set(new NDIndex(":, {}:{}", at, at + b), entering.transpose());
            NDArray idsF = ids.toType(DataType.FLOAT32, false);
            labelList.getArray().set(new NDIndex("{}:{}", at, at + b), idsF);
            index.getArray().set(new float[] {(at + b) % queueSize});
            return new NDList(logits1, logits2, labels);
        }

        /** F.normalize(x): x / max(‖x‖, 1e-12) per row. */
        private static NDArray normalize(NDArray x) {
            return CosineClassifier.l2Normalize(x, 1);
        }

        /**
         * s·margin(x·Q') where Q' is the queue with columns [at, at + b) replaced by yᵀ: those columns are
         * x·yᵀ, computed apart, and the targets are their diagonal (row i's target is column at + i).
         */
        private NDArray logits(NDArray x, NDArray y, NDArray frozen, int at, int b) {
            NDArray all = x.matMul(frozen).clip(-1f, 1f);
            NDArray own = x.matMul(y.transpose()).clip(-1f, 1f);
            NDManager m = x.getManager();
            float margin = (float) c.margin();
            switch (c.lossType()) {
                case "am_softmax" -> own = own.sub(m.eye(b).mul(Scalars.of(margin)));
                // no threshold past θ + m = π, as in FaceX-Zoo; arcMargin only differs where FaceX-Zoo is NaN
                case "arc_softmax" -> own = NDArrays.where(m.eye(b).toType(DataType.BOOLEAN, false),
                        CosineClassifier.arcMargin(own, c.margin()), own);
                default -> { }
            }
            NDList parts = new NDList();
            if (at > 0) {
                parts.add(all.get(new NDIndex(":, :{}", at)));
            }
            parts.add(own);
            if (at + b < queueSize) {
                parts.add(all.get(new NDIndex(":, {}:", at + b)));
            }
            return (parts.size() == 1 ? own : NDArrays.concat(parts, 1)).mul(Scalars.of((float) c.scale()));
        }

        @Override
        public Set<Long> queuedIdentities() {
            Set<Long> ids = new TreeSet<>();
            for (float id : labelList.getArray().toFloatArray()) {
                if (id >= 0) {
                    ids.add((long) id);
                }
            }
            return ids;
        }

        @Override
        public int queueSize() {
            return queueSize;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            long b = inputShapes[0].get(0);
            return new Shape[] {new Shape(b, queueSize), new Shape(b, queueSize), new Shape(b)};
        }
    }
}
