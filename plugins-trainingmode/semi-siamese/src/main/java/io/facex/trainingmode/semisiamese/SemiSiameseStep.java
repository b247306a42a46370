package io.facex.trainingmode.semisiamese;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.facex.nn.CutBackward;
import io.facex.nn.Scalars;
import io.facex.api.TrainingContext;
import io.facex.api.TrainingData;
import io.facex.api.TrainingStep;
import io.facex.nn.PrototypeQueue;
import io.facex.nn.Staging;
import io.facex.nn.Torch;
import io.facex.nn.TorchNames;
import io.facex.nn.TorchSgd;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One semi-siamese step: probe and gallery passes over both views, the prototype head's two logits,
 * ½(CE₁ + CE₂), SGD on the probe, then the gallery's moving average. Its state is the probe (saved as
 * {@code backbone.*}, the deployable network), the gallery, the head's queue, the probe's momentum, the
 * steps taken (the queue's draws follow from them) and the identities the current epoch leaves out.
 */
final class SemiSiameseStep implements TrainingStep {

    static final String MOMENTUM = "optimizer.momentum_buffer.";
    /** Steps taken: the n-th step's draw of which gallery view enters the queue follows from it. */
    static final String STEPS = "sst.steps";
    /** [epoch, identities left out of it..., −1 padding]: a job resumed inside the epoch leaves out the same. */
    static final String EXCLUDED = "sst.excluded";
    private static final long COIN_KEY = 0x5353_545F_434F_494EL;

    private final TrainingContext ctx;
    private final NDManager manager;
    private final Block probe;
    private final Block gallery;
    private final Block head;
    private final PrototypeQueue queue;
    private final PairList<String, Parameter> probeParams;
    private final PairList<String, Parameter> galleryParams;
    private final PairList<String, Parameter> headParams;
    private final TorchSgd sgd;
    private final Staging staging = new Staging();
    private final float alpha;
    private final long seed;
    private final NDArray excluded;
    private long steps;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    SemiSiameseStep(TrainingContext ctx, SemiSiameseTraining.Config cfg) {
        this.ctx = ctx;
        this.manager = ctx.manager();
        this.probe = ctx.newBackbone();
        this.gallery = ctx.newBackbone();
        this.head = ctx.newHead();
        if (!(head instanceof PrototypeQueue q)) {
            throw new IllegalArgumentException("semi-siamese training classifies against a queue of gallery features: "
                    + "use --head_type SST_Prototype (this head learns per-class weights)");
        }
        this.queue = q;
        if (q.queueSize() % cfg.batchSize() != 0) {
            throw new io.facex.api.InvalidConfigException("batch_size", "must divide the head's queue_size "
                    + q.queueSize() + " (the queue moves by one batch per step), got " + cfg.batchSize());
        }
        this.probeParams = TorchNames.checkpointKeys("backbone.", probe);
        this.galleryParams = TorchNames.checkpointKeys("gallery.", gallery);
        this.headParams = TorchNames.checkpointKeys("head.", head);
        this.sgd = new TorchSgd(manager, cfg.momentum(), cfg.weightDecay());
        this.alpha = (float) cfg.alpha();
        this.seed = cfg.seed();
        // The gallery starts as the probe (parameters only; its batch-norm statistics are its own) and
        // is never differentiated.
        for (int i = 0; i < galleryParams.size(); i++) {
            NDArray g = galleryParams.get(i).getValue().getArray();
            g.setRequiresGradient(false);
            if (trained(galleryParams.get(i).getValue())) {
                g.set(probeParams.get(i).getValue().getArray().toByteBuffer());
            }
        }
        long[] none = new long[1 + q.queueSize()];
        Arrays.fill(none, -1);
        this.excluded = manager.create(none);
    }

    @Override
    public double step(TrainingData.Batch batch, double lr) {
        if (batch.secondImages() == null) {
            throw new IllegalStateException("semi-siamese training needs identity-paired batches");
        }
        try (NDManager s = manager.newSubManager()) {
            Shape shape = new Shape(batch.size()).addAll(ctx.inputShape());
            NDArray x1 = staging.floats(s, batch.images(), 0, shape);
            NDArray x2 = staging.floats(s, batch.secondImages(), 0, shape);
            NDArray ids = staging.longs(s, batch.labels(), new Shape(batch.labels().length));
            ParameterStore ps = new ParameterStore(s, false);
            // The gallery: batch statistics and its own running statistics, dropout off, no gradient.
            NDArray g2 = Torch.withoutDropout(() -> gallery.forward(ps, new NDList(x2), true).singletonOrThrow()).stopGradient();
            NDArray g1 = Torch.withoutDropout(() -> gallery.forward(ps, new NDList(x1), true).singletonOrThrow()).stopGradient();
            // FaceX-Zoo's random.random() > 0.5 picks g1 for the queue; here the draw follows the seed and step.
            float coin = (float) new SplittableRandom(seed ^ (COIN_KEY * (steps + 1))).nextDouble();
            float value;
            try (CutBackward cuts = CutBackward.open(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray p1 = probe.forward(ps, new NDList(x1), true).singletonOrThrow();
                NDArray p2 = probe.forward(ps, new NDList(x2), true).singletonOrThrow();
                NDList out = head.forward(ps, new NDList(p1, g2, p2, g1, ids, s.create(new float[] {coin})), true);
                NDArray label = out.get(2);
                NDArray l = loss.evaluate(new NDList(label), new NDList(out.get(0)))
                        .add(loss.evaluate(new NDList(label), new NDList(out.get(1)))).div(Scalars.of(2f));
                value = l.getFloat();
                if (Float.isFinite(value)) {
                    cuts.backward(gc, l);
                }
            }
            steps++;
            if (Float.isFinite(value)) {
                sgd.step(probeParams, lr);
                movingAverage();
            }
            return value;
        }
    }

    /**
     * A module parameter in PyTorch's sense: DJL also lists batch norm's running statistics, which
     * FaceX-Zoo's {@code parameters()} leaves out (the gallery keeps its own, from its own passes).
     */
    private static boolean trained(Parameter p) {
        return p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR;
    }

    /** θ_gallery ← α·θ_gallery + (1 − α)·θ_probe, parameters only, as FaceX-Zoo's moving_average. */
    private void movingAverage() {
        try (NDManager tmp = manager.newSubManager()) {
            for (int i = 0; i < galleryParams.size(); i++) {
                if (!trained(galleryParams.get(i).getValue())) {
                    continue;
                }
                NDArray g = galleryParams.get(i).getValue().getArray();
                NDArray p = probeParams.get(i).getValue().getArray().stopGradient();
                p.attach(tmp);
                NDArray share = p.mul(Scalars.of(1f - alpha));
                share.attach(tmp);
                g.muli(alpha).addi(share);
            }
        }
    }

    @Override
    public Set<Long> excludedIdentities(int epoch) {
        long[] snapshot = excluded.toLongArray();
        if (snapshot[0] != epoch) {
            // A new epoch: FaceX-Zoo rebuilds its data set without the identities now in the queue.
            Arrays.fill(snapshot, -1);
            snapshot[0] = epoch;
            int k = 1;
            for (long id : queue.queuedIdentities()) {
                snapshot[k++] = id;
            }
            excluded.set(snapshot);
        }
        Set<Long> out = new LinkedHashSet<>();
        for (int k = 1; k < snapshot.length && snapshot[k] >= 0; k++) {
            out.add(snapshot[k]);
        }
        return out;
    }

    @Override
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (PairList<String, Parameter> params : java.util.List.of(probeParams, galleryParams, headParams)) {
            for (Pair<String, Parameter> p : params) {
                state.put(p.getKey(), p.getValue().getArray());
            }
        }
        sgd.buffers().forEach((k, v) -> state.put(MOMENTUM + k, v));
        state.put(EXCLUDED, excluded);
        // Listed once a step was taken, like the momentum buffers: a resumed run gets it through restore().
        if (steps > 0) {
            state.put(STEPS, manager.create(new long[] {steps}));
        }
        return state;
    }

    @Override
    public void restore(String key, NDArray saved) {
        if (key.equals(STEPS)) {
            steps = saved.toLongArray()[0];
            return;
        }
        if (!key.startsWith(MOMENTUM) || !probeParams.keys().contains(key.substring(MOMENTUM.length()))) {
            TrainingStep.super.restore(key, saved);
        }
        sgd.restoreBuffer(key.substring(MOMENTUM.length()), saved);
    }

    @Override
    public void close() {
        // The blocks and buffers belong to the job's manager, which the platform closes.
    }
}
