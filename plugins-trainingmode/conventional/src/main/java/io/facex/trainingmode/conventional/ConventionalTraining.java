package io.facex.trainingmode.conventional;

import io.facex.api.AbstractPlugin;
import io.facex.api.Augmentation;
import io.facex.api.InvalidConfigException;
import io.facex.api.Sampling;
import io.facex.api.TrainingContext;
import io.facex.api.TrainingMode;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingStep;
import io.facex.nn.MultiStepLr;

import java.util.ArrayList;
import java.util.List;

/**
 * FaceX-Zoo's conventional training ({@code training_mode/conventional_training/train.py}): backbone +
 * head, cross-entropy (plus a head's extra term), SGD with momentum and weight decay, multi-step
 * learning-rate decay per epoch, random horizontal flips. The platform's training loop writes
 * {@code Epoch_N_batch_M} and {@code Epoch_N} checkpoints with the momentum buffers, so a resumed run
 * continues exactly where it stopped (the original restarts the next epoch with a fresh optimiser).
 */
public final class ConventionalTraining extends AbstractPlugin<ConventionalTraining.Config>
        implements TrainingMode<ConventionalTraining.Config> {

    /**
     * train.py's options, FaceX-Zoo spelling ({@code epoches}; {@code step} as "2,5,7").
     *
     * @param lr          initial learning rate
     * @param epoches     epochs to train
     * @param step        milestones (0-based epochs) where the learning rate is multiplied by 0.1
     * @param momentum    SGD momentum
     * @param weightDecay L2 penalty on every parameter (FaceX-Zoo: 1e-4)
     * @param batchSize   images per step
     * @param printFreq   log every this many batches
     * @param saveFreq    write Epoch_N_batch_M every this many batches
     * @param seed        weights initialisation and data order
     */
    public record Config(double lr, int epoches, String step, double momentum, double weightDecay, int batchSize,
                         int printFreq, int saveFreq, long seed) {

        /** The milestones of {@link #step}. */
        public List<Integer> milestones() {
            List<Integer> out = new ArrayList<>();
            if (step == null || step.isBlank()) {
                return out;
            }
            for (String s : step.split(",")) {
                out.add(Integer.parseInt(s.trim()));
            }
            return out;
        }
    }

    /** Defaults: train.py's command-line defaults, and FaceX-Zoo's weight decay. */
    public ConventionalTraining() {
        super("conventional", "Conventional training (FaceX-Zoo train.py): CE over the head's logits, SGD, multi-step LR",
                Config.class, new Config(0.1, 9, "2,5,7", 0.9, 1e-4, 128, 10, 10, 0));
    }

    @Override
    public void validate(Config c) {
        if (!(c.lr() > 0)) {
            throw new InvalidConfigException("lr", "must be positive, got " + c.lr());
        }
        if (c.epoches() < 1) {
            throw new InvalidConfigException("epoches", "must be at least 1, got " + c.epoches());
        }
        try {
            for (int m : c.milestones()) {
                if (m < 0) {
                    throw new InvalidConfigException("step", "milestones are epochs ≥ 0, got " + m);
                }
            }
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("step", "expected comma-separated epochs like \"2,5,7\", got '" + c.step() + "'");
        }
        if (!(c.momentum() >= 0 && c.momentum() < 1)) {
            throw new InvalidConfigException("momentum", "must be in [0, 1), got " + c.momentum());
        }
        if (!(c.weightDecay() >= 0)) {
            throw new InvalidConfigException("weight_decay", "must be ≥ 0, got " + c.weightDecay());
        }
        if (c.batchSize() < 1) {
            throw new InvalidConfigException("batch_size", "must be at least 1, got " + c.batchSize());
        }
        if (c.printFreq() < 1) {
            throw new InvalidConfigException("print_freq", "must be at least 1, got " + c.printFreq());
        }
        if (c.saveFreq() < 1) {
            throw new InvalidConfigException("save_freq", "must be at least 1, got " + c.saveFreq());
        }
        if (c.seed() < 0 || c.seed() > TrainingPlan.MAX_SEED) {
            throw new InvalidConfigException("seed", "must be in [0, " + TrainingPlan.MAX_SEED + "], got " + c.seed());
        }
    }

    @Override
    public TrainingPlan plan(Config c) {
        MultiStepLr lr = new MultiStepLr(c.lr(), c.milestones(), 0.1);
        return new TrainingPlan(c.batchSize(), c.epoches(), c.seed(), lr::at, c.printFreq(), c.saveFreq(),
                Sampling.IMAGES, Augmentation.conventional());
    }

    @Override
    public TrainingStep start(TrainingContext context, Config config) {
        return new ConventionalStep(context, config);
    }
}
