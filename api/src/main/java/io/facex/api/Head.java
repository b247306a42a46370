package io.facex.api;

import ai.djl.nn.Block;

import java.util.Optional;

/**
 * A supervisory head (FaceX-Zoo's {@code head/}): turns embeddings and labels into the logits the
 * cross-entropy loss is taken over.
 *
 * <p>The block's forward takes {@code (features (N, featureDim) float32, labels (N) int64)} and returns
 * {@code (logits (N, numClasses))}, or {@code (logits, extraLoss)} for heads whose loss has a second
 * term (AdaM-Softmax, MagFace): the training mode adds the mean of that term to the loss.
 *
 * <p>The platform sizes the head: it passes the backbone's feature dimension and the data's class
 * count to {@link #build}. A configuration may still state sizes (FaceX-Zoo's {@code feat_dim} and
 * {@code num_class} keys); the platform checks them against the job through {@link #declaredSize}.
 */
public interface Head<C> extends Plugin<C> {

    /** A new, uninitialised block for this configuration at these sizes. */
    Block build(C config, HeadSize size);

    /**
     * False for heads that learn no per-class weights (SST's prototype queue): they are built with
     * {@code numClasses = 0} and may train on data of any number of identities.
     */
    default boolean needsClassCount() {
        return true;
    }

    /**
     * The sizes this configuration states, if it states any (FaceX-Zoo's {@code feat_dim} and
     * {@code num_class}); a configuration read from a file must agree with the job's sizes.
     */
    default Optional<HeadSize> declaredSize(C config) {
        return Optional.empty();
    }
}
