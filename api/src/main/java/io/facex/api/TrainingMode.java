package io.facex.api;

/**
 * A way of training (FaceX-Zoo's {@code training_mode/}): conventional, semi-siamese, ... It owns the
 * loop: sampling, forward, loss, update, checkpoints. The platform hands it a {@link TrainingContext}
 * with the resolved backbone and head and the job's options.
 */
public interface TrainingMode<C> extends Plugin<C> {

    /**
     * Trains until the configured epochs are done or the context asks to stop.
     *
     * @return a summary the caller prints and records
     */
    TrainingSummary train(TrainingContext context, C config) throws Exception;
}
