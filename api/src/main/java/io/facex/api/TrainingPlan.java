package io.facex.api;

import java.util.function.IntToDoubleFunction;

/**
 * What the platform's training loop needs to know from a mode's configuration, stated as values
 * rather than looked up by key name.
 *
 * @param batchSize     images (or identity pairs) per step
 * @param epochs        epochs to train
 * @param seed          weights initialisation and data order, in [0, 2^31 − 1]
 * @param learningRate  the learning rate in force during an epoch (0-based)
 * @param printFreq     report progress every this many batches
 * @param saveFreq      write {@code Epoch_N_batch_M} every this many batches
 * @param sampling      how the data is drawn
 * @param augmentation  the random augmentation every training image gets
 */
public record TrainingPlan(int batchSize, int epochs, long seed, IntToDoubleFunction learningRate, int printFreq,
                           int saveFreq, Sampling sampling, Augmentation augmentation) {

    /** The largest seed: libtorch and the data order derive their generators from the same 31-bit value. */
    public static final long MAX_SEED = Integer.MAX_VALUE;

    public TrainingPlan {
        if (batchSize < 1 || epochs < 1 || printFreq < 1 || saveFreq < 1) {
            throw new IllegalArgumentException("batchSize, epochs, printFreq and saveFreq must be ≥ 1");
        }
        if (seed < 0 || seed > MAX_SEED) {
            throw new InvalidConfigException("seed", "must be in [0, " + MAX_SEED + "], got " + seed);
        }
    }
}
