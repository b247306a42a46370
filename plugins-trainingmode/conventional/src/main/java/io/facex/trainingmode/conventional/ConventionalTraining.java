package io.facex.trainingmode.conventional;

import io.facex.api.AbstractPlugin;
import io.facex.api.Augmentation;
import io.facex.api.Sampling;
import io.facex.api.TrainingContext;
import io.facex.api.TrainingMode;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingStep;
import io.facex.nn.MultiStepLr;
import io.facex.nn.SgdSchedule;

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
            return SgdSchedule.milestones(step);
        }
    }

    /** Defaults: train.py's command-line defaults, and FaceX-Zoo's weight decay. */
    public ConventionalTraining() {
        super("conventional", "Conventional training (FaceX-Zoo train.py): CE over the head's logits, SGD, multi-step LR",
                Config.class, new Config(0.1, 9, "2,5,7", 0.9, 1e-4, 128, 10, 10, 0));
    }

    @Override
    public void validate(Config c) {
        SgdSchedule.validate(c.lr(), c.epoches(), c.step(), c.momentum(), c.weightDecay(), c.batchSize(), 1,
                c.printFreq(), c.saveFreq(), c.seed());
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
