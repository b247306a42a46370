package io.facex.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.facex.core.checkpoint.Checkpoint;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingStep;
import io.facex.api.TrainingSummary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one training loop every mode runs in: epochs and batches in the plan's order, the learning rate
 * per epoch, and hooks for progress and checkpoints; a non-finite loss stops the job naming the step
 * and the last good checkpoint; a stop request (Ctrl-C) saves where it is and returns; a checkpoint
 * resumes exactly, mid-epoch included. A mode supplies only its {@link TrainingStep}.
 */
public final class TrainingLoop {

    /** Called by the loop at fixed points; hooks run in the order given. */
    interface Hook {
        default void beforeEpoch(Position at) {
        }

        /** After a step; {@code at.stopping} tells a stop was requested. */
        default void afterStep(Position at, int images, double loss) throws IOException {
        }

        default void afterEpoch(Position at) throws IOException {
        }
    }

    /** Where the loop is. */
    static final class Position {
        int epoch;
        int batch;
        int batchesPerEpoch;
        long step;
        double lr;
        boolean stopping;
        Path lastCheckpoint;
    }

    /** The smallest batch BatchNorm can take training statistics of. */
    static final int MIN_BATCH = 2;

    private final TrainingPlan plan;
    private final TrainingStep step;
    private final TrainingData data;
    private final TrainingListener listener;
    private final BooleanSupplier stopRequested;
    private final Position at = new Position();
    private final Progress progress;
    private final List<Hook> hooks;
    private int firstBatch;

    /**
     * @param checkpointDir where {@code Epoch_N[_batch_M].safetensors} go
     * @param description   metadata every checkpoint carries (model, configurations, the job)
     */
    TrainingLoop(TrainingPlan plan, TrainingStep step, TrainingData data, TrainingListener listener,
                 BooleanSupplier stopRequested, Path checkpointDir, Map<String, String> description) {
        this.plan = plan;
        this.step = step;
        this.data = data;
        this.listener = listener;
        this.stopRequested = stopRequested;
        this.progress = new Progress();
        this.hooks = List.of(new LearningRateLog(), progress, new Checkpoints(checkpointDir, description));
        at.batchesPerEpoch = data.batchesPerEpoch(plan.batchSize());
    }

    /** Continues from a checkpoint: every array of the step's state restored, the position after it. */
    void resume(Path file, NDManager manager) throws IOException {
        try (NDManager tmp = manager.newSubManager()) {
            Checkpoint.Loaded c = Checkpoint.read(file, tmp);
            String format = c.meta().get("format");
            if (!Checkpoint.FORMAT.equals(format) && !Checkpoint.FORMAT_1.equals(format)) {
                throw new IOException(file + ": not a training checkpoint of this toolbox (format '" + format
                        + "'); to start from imported weights use --pretrain_model without --resume");
            }
            Map<String, NDArray> state = step.state();
            StringBuilder missing = new StringBuilder();
            for (Map.Entry<String, NDArray> e : state.entrySet()) {
                NDArray v = c.tensors().get(e.getKey());
                if (v == null) {
                    missing.append(' ').append(e.getKey());
                    continue;
                }
                NDArray target = e.getValue();
                if (!v.getShape().equals(target.getShape())) {
                    throw new IOException(file + ": " + e.getKey() + " has shape " + v.getShape() + " but the model has "
                            + target.getShape() + " (was it written for another backbone, head or num_class?)");
                }
                target.set(v.toByteBuffer()); // native to native: no Java array of the head's size
            }
            if (missing.length() > 0) {
                throw new IOException(file + ": missing tensors:" + missing);
            }
            for (Map.Entry<String, NDArray> e : c.tensors().entrySet()) {
                if (!state.containsKey(e.getKey())) {
                    try {
                        step.restore(e.getKey(), e.getValue());
                    } catch (IllegalArgumentException bad) {
                        throw new IOException(file + ": " + bad.getMessage(), bad);
                    }
                }
            }
            int savedEpoch = Integer.parseInt(c.meta().get("epoch"));
            int batchId = Integer.parseInt(c.meta().get("batch_id"));
            boolean end = Boolean.parseBoolean(c.meta().get("end_of_epoch"));
            at.epoch = end ? savedEpoch + 1 : savedEpoch;
            firstBatch = end ? 0 : batchId + 1;
            at.step = Long.parseLong(c.meta().get("step"));
            at.lastCheckpoint = file;
            listener.message("resumed from " + file + ": epoch " + at.epoch + ", batch " + firstBatch + ", step " + at.step);
        }
    }


    TrainingSummary run() throws IOException {
        for (; at.epoch < plan.epochs(); at.epoch++, firstBatch = 0) {
            at.lr = plan.learningRate().applyAsDouble(at.epoch);
            at.batch = firstBatch;
            for (Hook h : hooks) {
                h.beforeEpoch(at);
            }
            try (TrainingData.Batches batches = data.epoch(at.epoch, plan.batchSize(), firstBatch, step.excludedIdentities(at.epoch))) {
                at.batchesPerEpoch = batches.count() >= 0 ? batches.count() : data.batchesPerEpoch(plan.batchSize());
                if (at.batchesPerEpoch != data.batchesPerEpoch(plan.batchSize())) {
                    // Later epochs are taken to be like this one; the last is exact.
                    listener.plannedSteps(at.step + (long) (at.batchesPerEpoch - firstBatch)
                            + (long) at.batchesPerEpoch * (plan.epochs() - at.epoch - 1));
                }
                for (at.batch = firstBatch; batches.hasNext(); at.batch++) {
                    TrainingData.Batch batch = batches.next();
                    if (batch.size() < MIN_BATCH) {
                        // BatchNorm cannot take batch statistics of one sample: drop it, as drop_last would.
                        listener.message("epoch " + at.epoch + ", batch " + at.batch + " holds " + batch.size()
                                + " image, too few for batch normalisation: skipped (a batch size that does not "
                                + "leave one image over avoids it)");
                        continue;
                    }
                    double loss = step.step(batch, at.lr);
                    at.step++;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("the loss became " + loss + " at epoch " + at.epoch + ", batch "
                                + at.batch + " (step " + at.step + "); training stopped. The last good checkpoint is "
                                + (at.lastCheckpoint == null ? "none (nothing was saved yet)" : at.lastCheckpoint)
                                + ". Try a lower lr.");
                    }
                    at.stopping = stopRequested.getAsBoolean();
                    // Both views of a pair batch are computed, so both count, as in the benchmark.
                    int images = batch.secondImages() == null ? batch.size() : 2 * batch.size();
                    for (Hook h : hooks) {
                        h.afterStep(at, images, loss);
                    }
                    if (at.stopping) {
                        listener.message("stopped on request at epoch " + at.epoch + ", batch " + at.batch);
                        return summary();
                    }
                }
            }
            at.batch = at.batchesPerEpoch - 1;
            for (Hook h : hooks) {
                h.afterEpoch(at);
            }
        }
        return summary();
    }

    private TrainingSummary summary() {
        return new TrainingSummary(at.epoch, at.step, progress.first, progress.last, at.lastCheckpoint);
    }

    /** Logs the learning rate at the start of every epoch (not when resuming into its middle). */
    private final class LearningRateLog implements Hook {
        @Override
        public void beforeEpoch(Position p) {
            if (p.batch == 0) {
                listener.message(String.format(Locale.ROOT, "epoch %d: learning rate %.6g", p.epoch, p.lr));
            }
        }
    }

    /** Mean loss and throughput every {@code print_freq} batches (FaceX-Zoo's meter). */
    private final class Progress implements Hook {
        double sum;
        int count;
        long images;
        long start = System.nanoTime();
        double first = Double.NaN;
        double last = Double.NaN;

        @Override
        public void afterStep(Position p, int batchImages, double loss) {
            sum += loss;
            count++;
            images += batchImages;
            if (p.batch % plan.printFreq() == 0) {
                double mean = sum / count;
                double seconds = (System.nanoTime() - start) / 1e9;
                listener.progress(p.epoch, p.batch, p.batchesPerEpoch, p.step, mean, p.lr, images / Math.max(seconds, 1e-9));
                if (Double.isNaN(first)) {
                    first = mean;
                }
                last = mean;
                sum = 0;
                count = 0;
                images = 0;
                start = System.nanoTime();
            }
        }
    }

    /** {@code Epoch_N_batch_M} every {@code save_freq} batches and on a stop, {@code Epoch_N} after each epoch. */
    private final class Checkpoints implements Hook {
        private final Path dir;
        private final Map<String, String> description;

        Checkpoints(Path dir, Map<String, String> description) {
            this.dir = dir;
            this.description = description;
        }

        @Override
        public void afterStep(Position p, int images, double loss) throws IOException {
            if ((p.batch + 1) % plan.saveFreq() == 0 || p.stopping) {
                save("Epoch_" + p.epoch + "_batch_" + p.batch, p, false);
            }
        }

        @Override
        public void afterEpoch(Position p) throws IOException {
            save("Epoch_" + p.epoch, p, true);
        }

        private void save(String name, Position p, boolean endOfEpoch) throws IOException {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", Checkpoint.FORMAT);
            meta.put("epoch", Integer.toString(p.epoch));
            meta.put("batch_id", Integer.toString(p.batch));
            meta.put("end_of_epoch", Boolean.toString(endOfEpoch));
            meta.put("step", Long.toString(p.step));
            meta.put("lr", Double.toString(p.lr));
            meta.putAll(description);
            Path file = dir.resolve(name + Checkpoint.EXTENSION);
            Checkpoint.write(file, step.state(), meta);
            p.lastCheckpoint = file;
            listener.checkpoint(file);
        }
    }
}
