package io.facex.api;

import ai.djl.nn.Block;
import org.osgi.annotation.versioning.ProviderType;

import java.nio.file.Path;

/**
 * What the platform gives a {@link TrainingMode}. Implemented by the platform only, so it may grow in a
 * minor version.
 */
@ProviderType
public interface TrainingContext {

    /** A new backbone block for the job's configuration (semi-siamese training needs two). */
    Block newBackbone();

    /** A new head block for the job's configuration. */
    Block newHead();

    /** The folder checkpoints, logs and plots go to; it exists. */
    Path outputDirectory();

    /** Whether the user asked the job to stop (the mode saves and returns). */
    boolean stopRequested();
}
