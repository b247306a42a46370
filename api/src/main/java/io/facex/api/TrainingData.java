package io.facex.api;

import org.osgi.annotation.versioning.ProviderType;

import java.util.Iterator;

/**
 * Labelled training images, served in shuffled, augmented, normalised batches, drawn as the mode's
 * {@link TrainingPlan} asks ({@link Sampling}), at the backbone's input size.
 */
@ProviderType
public interface TrainingData {

    /** Samples per epoch: images, or identities when drawn as {@link Sampling#IDENTITY_PAIRS}. */
    int size();

    /** Identities (labels are 0 … numClasses − 1). */
    int numClasses();

    /** Batches per epoch at this batch size (the last, partial batch counts). */
    default int batchesPerEpoch(int batchSize) {
        return (size() + batchSize - 1) / batchSize;
    }

    /**
     * The batches of one epoch, in an order fixed by the job's seed and the epoch, starting at batch
     * {@code firstBatch} (to resume mid-epoch). Closing the iterator stops any loader threads.
     */
    Batches epoch(int epoch, int batchSize, int firstBatch);

    /**
     * As {@link #epoch(int, int, int)}, leaving out the identities in {@code excluded}
     * ({@link TrainingStep#excludedIdentities()}); the data of an epoch with exclusions is drawn from
     * the remaining identities in the same seeded way.
     *
     * @throws UnsupportedOperationException when this data cannot leave identities out
     */
    default Batches epoch(int epoch, int batchSize, int firstBatch, java.util.Set<Long> excluded) {
        if (!excluded.isEmpty()) {
            throw new UnsupportedOperationException("this training data cannot leave identities out");
        }
        return epoch(epoch, batchSize, firstBatch);
    }

    /** An epoch's batches; close it when done. */
    interface Batches extends Iterator<Batch>, AutoCloseable {
        @Override
        void close();

        /** Batches in this epoch, counted from its first (not from a resume point); -1 when unknown. */
        default int count() {
            return -1;
        }
    }

    /**
     * One batch.
     *
     * @param images       normalised BGR faces, (size, C, H, W) flattened in C order
     * @param labels       identity of each face
     * @param size         faces in this batch (the last batch may be short)
     * @param secondImages with {@link Sampling#IDENTITY_PAIRS}: the second view of each identity, same
     *                     layout as {@code images}; null otherwise
     */
    record Batch(float[] images, long[] labels, int size, float[] secondImages) {

        /** A batch of one view. */
        public Batch(float[] images, long[] labels, int size) {
            this(images, labels, size, null);
        }
    }
}
