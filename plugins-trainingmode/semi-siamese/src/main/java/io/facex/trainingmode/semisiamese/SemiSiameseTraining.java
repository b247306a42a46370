package io.facex.trainingmode.semisiamese;

import io.facex.api.AbstractPlugin;
import io.facex.api.Augmentation;
import io.facex.api.InvalidConfigException;
import io.facex.api.Sampling;
import io.facex.api.TrainingContext;
import io.facex.api.TrainingMode;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingStep;
import io.facex.nn.MultiStepLr;
import io.facex.nn.SgdSchedule;

import java.util.List;

/**
 * Semi-siamese training (Du et al., "Semi-Siamese Training for Shallow Face Learning", ECCV 2020) as
 * FaceX-Zoo's {@code training_mode/semi-siamese_training/train.py}, for shallow data (about two images
 * per identity), where a classifier has too few samples per class. Each step takes two images of each of
 * B identities; a probe network, trained by SGD, embeds both, and a gallery network, a moving average
 * of the probe, embeds them too; each probe view is classified against a queue of gallery features
 * (the {@code SST_Prototype} head), the other view's gallery feature being its target. Each epoch leaves
 * out the identities whose features are in the queue.
 */
public final class SemiSiameseTraining extends AbstractPlugin<SemiSiameseTraining.Config>
        implements TrainingMode<SemiSiameseTraining.Config> {

    /**
     * train.py's options, FaceX-Zoo spelling.
     *
     * @param lr          initial learning rate
     * @param epoches     epochs to train
     * @param step        milestones (0-based epochs) where the learning rate is multiplied by 0.1
     * @param momentum    SGD momentum
     * @param weightDecay L2 penalty on the probe's parameters (FaceX-Zoo: 5e-4)
     * @param batchSize   identities (image pairs) per step; must divide the head's queue_size
     * @param printFreq   log every this many batches
     * @param saveFreq    write Epoch_N_batch_M every this many batches (Epoch_N is written after every epoch)
     * @param alpha       the gallery's moving-average weight: θ_gallery ← α·θ_gallery + (1 − α)·θ_probe
     * @param seed        weights initialisation, data order and the queue's draws
     */
    public record Config(double lr, int epoches, String step, double momentum, double weightDecay, int batchSize,
                         int printFreq, int saveFreq, double alpha, long seed) {

        /** The milestones of {@link #step}. */
        public List<Integer> milestones() {
            return SgdSchedule.milestones(step);
        }
    }

    /** Defaults: train.py's command-line defaults (130 epochs, steps 60/100/120, α 0.999, batch 128). */
    public SemiSiameseTraining() {
        super("semi-siamese", "Semi-siamese training (FaceX-Zoo SST): probe and moving-average gallery networks "
                + "against a prototype queue, for shallow data", Config.class,
                new Config(0.1, 130, "60,100,120", 0.9, 5e-4, 128, 10, 1000, 0.999, 0));
    }

    @Override
    public void validate(Config c) {
        SgdSchedule.validate(c.lr(), c.epoches(), c.step(), c.momentum(), c.weightDecay(), c.batchSize(), 2,
                c.printFreq(), c.saveFreq(), c.seed());
        if (!(c.alpha() >= 0 && c.alpha() <= 1)) {
            throw new InvalidConfigException("alpha", "must be in [0, 1], got " + c.alpha());
        }
    }

    @Override
    public TrainingPlan plan(Config c) {
        MultiStepLr lr = new MultiStepLr(c.lr(), c.milestones(), 0.1);
        return new TrainingPlan(c.batchSize(), c.epoches(), c.seed(), lr::at, c.printFreq(), c.saveFreq(),
                Sampling.IDENTITY_PAIRS, Augmentation.semiSiamese());
    }

    @Override
    public TrainingStep start(TrainingContext context, Config config) {
        return new SemiSiameseStep(context, config);
    }
}
