package io.facex.api;

import ai.djl.nn.Block;

/**
 * A supervisory head (FaceX-Zoo's {@code head/}): turns embeddings and labels into the logits the
 * cross-entropy loss is taken over.
 *
 * <p>The block's forward takes {@code (features (N, featDim) float32, labels (N) int64)} and returns
 * {@code (logits (N, numClasses))}, or {@code (logits, extraLoss)} for heads whose loss has a second
 * term (AdaM-Softmax, MagFace): the training mode adds the mean of that term to the loss.
 */
public interface Head<C> extends Plugin<C> {

    /** A new, uninitialised block for this configuration. */
    Block build(C config);

    /** The embedding size the head expects; must equal the backbone's. */
    int featureDim(C config);

    /** The number of identities. */
    int numClasses(C config);
}
