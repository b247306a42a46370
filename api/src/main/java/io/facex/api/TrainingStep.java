package io.facex.api;

import ai.djl.ndarray.NDArray;

import java.util.Map;
import java.util.Set;

/**
 * A training mode's model and optimiser for one job, driven by the platform's training loop, which
 * owns everything else: epochs, the learning-rate schedule, progress, checkpoints, exact resume, the
 * stop on a non-finite loss and on Ctrl-C. A new mode writes its step and its state, nothing more.
 */
public interface TrainingStep extends AutoCloseable {

    /**
     * One optimiser step: forward, loss, backward, update. Everything allocated for the step must be
     * released before returning.
     *
     * @param lr the learning rate in force
     * @return the batch's loss; when it is not finite, the update must not have been applied
     */
    double step(TrainingData.Batch batch, double lr);

    /**
     * Every array a checkpoint must hold for an exact resume, by key, in a fixed order: the live arrays,
     * which the loop overwrites in place when resuming. Keys starting {@code backbone.} are the
     * deployable backbone (PyTorch names where possible, as FaceX-Zoo saves them), {@code head.} the
     * head; other keys (optimiser buffers, queues) serve resuming only.
     */
    Map<String, NDArray> state();

    /**
     * A saved array that {@link #state()} does not list yet (an optimiser buffer created on the first
     * step): the mode adopts a copy of it. Called after the state's own arrays are restored.
     *
     * @throws IllegalArgumentException if the key means nothing to this mode
     */
    default void restore(String key, NDArray saved) {
        throw new IllegalArgumentException("unexpected array '" + key + "' in the checkpoint");
    }

    /**
     * Identities epoch {@code epoch} must not draw: semi-siamese training leaves out those whose features
     * are in its prototype queue, as FaceX-Zoo rebuilds its data set each epoch. Asked at the start of
     * every epoch, and again when a job resumes inside one (after its state is restored): the answer for
     * an epoch must then be the same, so it must follow from {@link #state()}.
     */
    default Set<Long> excludedIdentities(int epoch) {
        return Set.of();
    }

    /** Releases the job's arrays. */
    @Override
    void close();
}
