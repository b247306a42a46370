package io.facex.api;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * A feature extractor: normalised BGR faces {@code (N, 3, H, W)} in, unnormalised embeddings
 * {@code (N, featureDim)} out (FaceX-Zoo normalises after the backbone, at evaluation).
 *
 * <p>Besides the block it describes its input, which the platform's data pipeline and evaluation
 * follow: faces are decoded and resized to {@link #inputShape}.
 */
public interface Backbone<C> extends Plugin<C> {

    /** A new, uninitialised block for this configuration. */
    Block build(C config);

    /** The embedding size this configuration produces. */
    int featureDim(C config);

    /** One input face as (channels, height, width); 3×112×112 for every FaceX-Zoo backbone but Swin. */
    default Shape inputShape(C config) {
        return new Shape(3, 112, 112);
    }
}
