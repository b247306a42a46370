package io.facex.trainingmode.conventional;

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
import io.facex.api.TrainingContext;
import io.facex.api.TrainingData;
import io.facex.api.TrainingStep;
import io.facex.nn.CosineClassifier;
import io.facex.nn.CutBackward;
import io.facex.nn.Staging;
import io.facex.nn.TorchNames;
import io.facex.nn.TorchSgd;

import java.util.LinkedHashMap;
import java.util.Map;

/** Backbone + head under cross-entropy, updated by PyTorch-exact SGD; its state is the weights and momentum. */
final class ConventionalStep implements TrainingStep {

    static final String MOMENTUM = "optimizer.momentum_buffer.";
    /** How many sampled passes Partial FC has drawn, so a resumed run draws the classes it would have. */
    static final String SAMPLED_PASSES = "sampler.passes";

    private final TrainingContext ctx;
    private final NDManager manager;
    private final Block backbone;
    private final Block head;
    /** Every trainable or saved array under its checkpoint key (backbone.* / head.*). */
    private final PairList<String, Parameter> params;
    private final TorchSgd sgd;
    /** The head's class matrix under its checkpoint key, when the head has one (Partial FC updates its rows). */
    private final String classMatrixKey;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final Staging staging = new Staging();

    ConventionalStep(TrainingContext ctx, ConventionalTraining.Config cfg) {
        this.ctx = ctx;
        this.manager = ctx.manager();
        this.backbone = ctx.newBackbone();
        this.head = ctx.newHead();
        if (head instanceof io.facex.nn.PrototypeQueue) {
            throw new IllegalArgumentException("this head classifies against a queue of gallery features, which "
                    + "semi-siamese training keeps: add --mode semi-siamese (-m semi-siamese)");
        }
        this.params = TorchNames.checkpointKeys("backbone.", backbone);
        params.addAll(TorchNames.checkpointKeys("head.", head));
        this.sgd = new TorchSgd(manager, cfg.momentum(), cfg.weightDecay());
        this.classMatrixKey = head instanceof CosineClassifier c
                ? params.stream().filter(p -> p.getValue() == c.classMatrix()).map(Pair::getKey).findFirst().orElse(null)
                : null;
    }

    /** Forward, loss, backward, update; everything the step allocates dies with its manager. */
    @Override
    public double step(TrainingData.Batch batch, double lr) {
        try (NDManager s = manager.newSubManager()) {
            Shape shape = new Shape(batch.size()).addAll(ctx.inputShape());
            NDArray x = staging.floats(s, batch.images(), 0, shape);
            NDArray y = staging.longs(s, batch.labels(), new Shape(batch.labels().length));
            float value;
            try (CutBackward cuts = CutBackward.open(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                ParameterStore ps = new ParameterStore(s, false);
                NDArray feats = backbone.forward(ps, new NDList(x), true).singletonOrThrow();
                NDList out = head.forward(ps, new NDList(feats, y), true);
                // A head sampling its classes (Partial FC) scores a subset and says where each target went.
                NDArray targets = out.size() > 2 ? out.get(2) : y;
                NDArray l = loss.evaluate(new NDList(targets), new NDList(out.get(0)));
                if (out.size() > 1) {
                    l = l.add(out.get(1).mean()); // AdaM-Softmax / MagFace: the head's second term
                }
                value = l.getFloat();
                if (Float.isFinite(value)) {
                    cuts.backward(gc, l);
                }
            }
            if (Float.isFinite(value)) {
                sgd.step(params, lr);
                if (classMatrixKey != null) {
                    ((CosineClassifier) head).stepSampled(sgd, classMatrixKey, lr);
                }
            }
            return value;
        }
    }

    @Override
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : params) {
            state.put(p.getKey(), p.getValue().getArray());
        }
        sgd.buffers().forEach((k, v) -> state.put(MOMENTUM + k, v));
        // Listed once a pass was drawn, like the momentum buffers: a resumed run gets it through restore().
        if (head instanceof CosineClassifier c && c.sampledPasses() > 0) {
            state.put(SAMPLED_PASSES, manager.create(new long[] {c.sampledPasses()}));
        }
        return state;
    }

    @Override
    public void restore(String key, NDArray saved) {
        if (key.equals(SAMPLED_PASSES) && head instanceof CosineClassifier c) {
            c.resumeSampling(saved.toLongArray()[0]);
            return;
        }
        if (!key.startsWith(MOMENTUM) || !params.keys().contains(key.substring(MOMENTUM.length()))) {
            TrainingStep.super.restore(key, saved);
        }
        sgd.restoreBuffer(key.substring(MOMENTUM.length()), saved);
    }

    @Override
    public void close() {
        // The blocks and buffers belong to the job's manager, which the platform closes.
    }
}
