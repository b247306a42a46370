package io.facex.api;

/** How a training mode wants its data drawn each epoch. */
public enum Sampling {

    /** Every image once, shuffled (FaceX-Zoo's conventional training). Batches carry one view. */
    IMAGES,

    /**
     * Every identity once, shuffled, as two different images of it (one image twice when it has only
     * one), FaceX-Zoo's semi-siamese data set. Batches carry both views; labels are the identities. Only
     * whole batches are served (FaceX-Zoo's {@code drop_last}): the prototype queue moves by the batch size.
     */
    IDENTITY_PAIRS
}
