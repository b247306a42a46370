package io.facex.api;

import java.nio.file.Path;

/** Progress of a training job, reported by its {@link TrainingMode}. */
public interface TrainingListener {

    /**
     * A print step (FaceX-Zoo's {@code print_freq}).
     *
     * @param epoch          0-based epoch
     * @param batch          0-based batch within the epoch
     * @param batchesPerEpoch batches in one epoch
     * @param step           optimiser steps taken so far in the job (across epochs)
     * @param loss           mean loss since the previous print step
     * @param lr             the learning rate in force
     * @param imagesPerSecond training throughput since the previous print step
     */
    void progress(int epoch, int batch, int batchesPerEpoch, long step, double loss, double lr, double imagesPerSecond);

    /** A checkpoint was written. */
    default void checkpoint(Path file) {
    }

    /** Free-form information for the log (resumed from, learning-rate change, ...). */
    default void message(String text) {
    }

    /** The job is over (normally, stopped, or failed); flush files, draw plots. */
    default void finished(TrainingSummary summary) {
    }

    /**
     * The job's steps, re-estimated when an epoch turns out shorter than planned (semi-siamese training
     * leaves out the identities in its queue), so that progress bars end at the end.
     */
    default void plannedSteps(long total) {
    }
}
