package io.facex.api;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.osgi.annotation.versioning.ProviderType;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the platform gives a {@link TrainingMode}: the resolved backbone and head, the data, where to
 * write, and where to report. Implemented by the platform only, so it may grow in a minor version.
 */
@ProviderType
public interface TrainingContext {

    /** A new backbone block for the job's configuration (semi-siamese training needs two). */
    Block newBackbone();

    /** A new head block for the job's configuration. */
    Block newHead();

    /** One input face (channels, height, width). */
    Shape inputShape();

    /** The labelled training images. */
    TrainingData data();

    /** The folder checkpoints, logs and plots go to; it exists. */
    Path outputDirectory();

    /** The checkpoint to resume from, when the user asked to resume. */
    Optional<Path> resumeFrom();

    /**
     * Weights to start from when not resuming (FaceX-Zoo's {@code --pretrain_model} without {@code --resume}):
     * a FaceX-Zoo {@code .pt}, one of our checkpoints, or a state dict; the backbone must match it fully.
     */
    default Optional<Path> initialWeights() {
        return Optional.empty();
    }

    /** Where progress goes (progress bar, log, CSV, plot). */
    TrainingListener listener();

    /** Whether the user asked the job to stop (the mode saves and returns). */
    boolean stopRequested();
}
