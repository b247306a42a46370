package io.facex.trainingmode.conventional;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import io.facex.api.TrainingSummary;
import io.facex.nn.MultiStepLr;
import io.facex.nn.TorchNames;
import io.facex.nn.TorchSgd;
import io.facex.weights.BlockWeights;
import io.facex.weights.LoadReport;
import io.facex.weights.StateDict;
import io.facex.weights.Weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** One conventional training job: the state that lives from the first step to the last checkpoint. */
final class Trainer implements AutoCloseable {

    private final TrainingContext ctx;
    private final ConventionalTraining.Config cfg;
    private final NDManager root;
    private final Block backbone;
    private final Block head;
    /** Every trainable or saved array under its checkpoint key (backbone.* / head.*). */
    private final PairList<String, Parameter> params = new PairList<>();
    private final TorchSgd sgd;
    private final MultiStepLr schedule;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    private int epoch;
    private int firstBatch;
    private long step;
    private Path lastCheckpoint;
    private double firstLoss = Double.NaN;
    private double lastLoss = Double.NaN;

    Trainer(TrainingContext ctx, ConventionalTraining.Config cfg) throws IOException {
        this.ctx = ctx;
        this.cfg = cfg;
        Engine engine = Engine.getInstance();
        this.root = engine.newBaseManager();
        engine.setRandomSeed((int) cfg.seed());
        TrainingData data = ctx.data();
        int b = Math.min(cfg.batchSize(), Math.max(1, data.size()));
        Shape input = new Shape(b).addAll(ctx.inputShape());
        this.backbone = ctx.newBackbone();
        backbone.initialize(root, DataType.FLOAT32, input);
        long featDim = backbone.getOutputShapes(new Shape[] {input})[0].get(1);
        this.head = ctx.newHead();
        head.initialize(root, DataType.FLOAT32, new Shape(b, featDim), new Shape(b));
        collect("backbone.", backbone);
        collect("head.", head);
        this.sgd = new TorchSgd(root, cfg.momentum(), cfg.weightDecay());
        this.schedule = new MultiStepLr(cfg.lr(), cfg.milestones(), 0.1);
        if (ctx.resumeFrom().isPresent()) {
            resume(ctx.resumeFrom().get());
        } else if (ctx.initialWeights().isPresent()) {
            pretrained(ctx.initialWeights().get());
        }
    }

    /** PyTorch-style keys when the block's names map one-to-one, DJL's own paths otherwise. */
    private void collect(String prefix, Block block) {
        PairList<String, Parameter> ps = block.getParameters();
        Set<String> torch = new HashSet<>();
        boolean unique = true;
        for (Pair<String, Parameter> p : ps) {
            unique &= torch.add(TorchNames.toTorch(p.getKey()));
        }
        for (Pair<String, Parameter> p : ps) {
            params.add(prefix + (unique ? TorchNames.toTorch(p.getKey()) : p.getKey()), p.getValue());
        }
    }

    TrainingSummary run() throws IOException {
        TrainingData data = ctx.data();
        int perEpoch = data.batchesPerEpoch(cfg.batchSize());
        double meter = 0;
        int meterCount = 0;
        long meterImages = 0;
        long meterStart = System.nanoTime();
        for (; epoch < cfg.epoches(); epoch++, firstBatch = 0) {
            double lr = schedule.at(epoch);
            if (firstBatch == 0) {
                ctx.listener().message(String.format(java.util.Locale.ROOT, "epoch %d: learning rate %.6g", epoch, lr));
            }
            try (TrainingData.Batches batches = data.epoch(epoch, cfg.batchSize(), firstBatch)) {
                for (int i = firstBatch; batches.hasNext(); i++) {
                    TrainingData.Batch batch = batches.next();
                    double value = trainStep(batch, lr);
                    step++;
                    if (!Double.isFinite(value)) {
                        throw new IllegalStateException("the loss became " + value + " at epoch " + epoch + ", batch " + i
                                + " (step " + step + "); training stopped. The last good checkpoint is "
                                + (lastCheckpoint == null ? "none (nothing was saved yet)" : lastCheckpoint)
                                + ". Try a lower lr.");
                    }
                    meter += value;
                    meterCount++;
                    meterImages += batch.size();
                    if (i % cfg.printFreq() == 0) {
                        double mean = meter / meterCount;
                        double seconds = (System.nanoTime() - meterStart) / 1e9;
                        ctx.listener().progress(epoch, i, perEpoch, step, mean, lr, meterImages / Math.max(seconds, 1e-9));
                        if (Double.isNaN(firstLoss)) {
                            firstLoss = mean;
                        }
                        lastLoss = mean;
                        meter = 0;
                        meterCount = 0;
                        meterImages = 0;
                        meterStart = System.nanoTime();
                    }
                    boolean stop = ctx.stopRequested();
                    if ((i + 1) % cfg.saveFreq() == 0 || stop) {
                        save("Epoch_" + epoch + "_batch_" + i, i, false);
                    }
                    if (stop) {
                        ctx.listener().message("stopped on request at epoch " + epoch + ", batch " + i);
                        return summary();
                    }
                }
            }
            save("Epoch_" + epoch, perEpoch - 1, true);
        }
        return summary();
    }

    private TrainingSummary summary() {
        return new TrainingSummary(epoch, step, firstLoss, lastLoss, lastCheckpoint);
    }

    /** Forward, loss, backward, update; everything the step allocates dies with its manager. */
    private double trainStep(TrainingData.Batch batch, double lr) {
        try (NDManager s = root.newSubManager()) {
            Shape shape = new Shape(batch.size()).addAll(ctx.inputShape());
            NDArray x = s.create(batch.images(), shape);
            NDArray y = s.create(batch.labels());
            float value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                ParameterStore ps = new ParameterStore(s, false);
                NDArray feats = backbone.forward(ps, new NDList(x), true).singletonOrThrow();
                NDList out = head.forward(ps, new NDList(feats, y), true);
                NDArray l = loss.evaluate(new NDList(y), new NDList(out.get(0)));
                if (out.size() > 1) {
                    l = l.add(out.get(1).mean()); // AdaM-Softmax / MagFace: the head's second term
                }
                value = l.getFloat();
                if (Float.isFinite(value)) {
                    gc.backward(l);
                }
            }
            if (Float.isFinite(value)) {
                sgd.step(params, lr);
            }
            return value;
        }
    }

    private void save(String name, int batchId, boolean endOfEpoch) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : params) {
            tensors.put(p.getKey(), p.getValue().getArray());
        }
        for (Map.Entry<String, NDArray> b : sgd.buffers().entrySet()) {
            tensors.put(MOMENTUM + b.getKey(), b.getValue());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("epoch", Integer.toString(epoch));
        meta.put("batch_id", Integer.toString(batchId));
        meta.put("end_of_epoch", Boolean.toString(endOfEpoch));
        meta.put("step", Long.toString(step));
        meta.put("lr", Double.toString(schedule.at(epoch)));
        Path file = ctx.outputDirectory().resolve(name + CheckpointFile.EXTENSION);
        CheckpointFile.write(file, tensors, meta);
        lastCheckpoint = file;
        ctx.listener().checkpoint(file);
    }

    /**
     * Starts from imported weights: the backbone must match them completely; the head is taken too when
     * the file has one of the same shape (same identities), and otherwise starts fresh.
     */
    private void pretrained(Path file) throws IOException {
        StateDict sd = Weights.load(file);
        BlockWeights.apply(backbone, sd.backbone(), TorchNames::toTorch);
        String note = "";
        if (sd.hasPrefix("head.")) {
            LoadReport head = BlockWeights.applyMatching(this.head, sd.head(), TorchNames::toTorch);
            note = head.isExact() ? " (backbone and head)" : " (backbone; the head starts fresh: " + head.describe() + ")";
        }
        ctx.listener().message("initialised from " + file + note);
    }

    private void resume(Path file) throws IOException {
        try (NDManager tmp = root.newSubManager()) {
            CheckpointFile.Loaded c = CheckpointFile.read(file, tmp);
            if (!FORMAT.equals(c.meta().get("format"))) {
                throw new IOException(file + ": not a training checkpoint of this toolbox (format '"
                        + c.meta().get("format") + "'); to start from imported weights use --pretrain_model");
            }
            StringBuilder missing = new StringBuilder();
            for (Pair<String, Parameter> p : params) {
                NDArray v = c.tensors().get(p.getKey());
                if (v == null) {
                    missing.append(' ').append(p.getKey());
                    continue;
                }
                NDArray target = p.getValue().getArray();
                if (!v.getShape().equals(target.getShape())) {
                    throw new IOException(file + ": " + p.getKey() + " has shape " + v.getShape() + " but the model has "
                            + target.getShape() + " (was it written for another backbone, head or num_class?)");
                }
                target.set(v.toFloatArray());
            }
            if (missing.length() > 0) {
                throw new IOException(file + ": missing tensors:" + missing);
            }
            for (Map.Entry<String, NDArray> e : c.tensors().entrySet()) {
                if (e.getKey().startsWith(MOMENTUM)) {
                    sgd.restoreBuffer(e.getKey().substring(MOMENTUM.length()), e.getValue());
                }
            }
            int savedEpoch = Integer.parseInt(c.meta().get("epoch"));
            int batchId = Integer.parseInt(c.meta().get("batch_id"));
            boolean end = Boolean.parseBoolean(c.meta().get("end_of_epoch"));
            epoch = end ? savedEpoch + 1 : savedEpoch;
            firstBatch = end ? 0 : batchId + 1;
            step = Long.parseLong(c.meta().get("step"));
            lastCheckpoint = file;
            ctx.listener().message("resumed from " + file + ": epoch " + epoch + ", batch " + firstBatch + ", step " + step);
        }
    }

    static final String FORMAT = "facex-j/conventional/1";
    static final String MOMENTUM = "optimizer.momentum_buffer.";

    @Override
    public void close() {
        root.close();
    }
}
