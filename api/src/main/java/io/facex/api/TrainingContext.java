package io.facex.api;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.osgi.annotation.versioning.ProviderType;

import java.nio.file.Path;

/**
 * What the platform gives a {@link TrainingMode} to build its step: the resolved backbone and head,
 * sized and initialised, the data, and where to write. Implemented by the platform only, so it may grow
 * in a minor version.
 */
@ProviderType
public interface TrainingContext {

    /** The job's manager: blocks and long-lived arrays belong to it; the platform closes it after the job. */
    NDManager manager();

    /**
     * A new backbone block for the job's configuration, initialised on {@link #manager()} for
     * {@link #inputShape()}, with the job's starting weights when it has them. Each call gives an
     * independent block (semi-siamese training needs two).
     */
    Block newBackbone();

    /**
     * A new head block, sized by the platform ({@link #featureDim()}, the data's classes), initialised,
     * with starting weights when the job's file holds a head of the same shape.
     */
    Block newHead();

    /** One input face (channels, height, width), as the backbone declares it; batches have this shape. */
    Shape inputShape();

    /** The backbone's embedding size. */
    int featureDim();

    /** The labelled training images, drawn as the mode's {@link TrainingPlan} asks. */
    TrainingData data();

    /** The folder checkpoints, logs and plots go to; it exists. */
    Path outputDirectory();

    /** Where a mode may report free-form information (the loop reports progress and checkpoints itself). */
    TrainingListener listener();
}
