package io.facex.api;

import java.io.IOException;

/**
 * A way of training (FaceX-Zoo's {@code training_mode/}): conventional, semi-siamese, ... The mode
 * states its plan (batch size, epochs, seed, learning rate per epoch, how to draw the data) and builds
 * a {@link TrainingStep}; the platform's one training loop runs it, so progress, checkpoints, exact
 * resume and stopping behave the same in every mode.
 */
public interface TrainingMode<C> extends Plugin<C> {

    /** The loop's parameters for this configuration (valid: {@link #validate} has passed). */
    TrainingPlan plan(C config);

    /**
     * Builds the model and optimiser of one job. Blocks come from the context already initialised
     * (the platform has seeded the engine with the plan's seed and applied any starting weights);
     * when resuming, the loop then restores {@link TrainingStep#state()} from the checkpoint.
     */
    TrainingStep start(TrainingContext context, C config) throws IOException;
}
