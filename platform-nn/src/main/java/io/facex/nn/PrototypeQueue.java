package io.facex.nn;

/**
 * A head that keeps a queue of gallery features instead of per-class weights (FaceX-Zoo's
 * {@code SST_Prototype}), as semi-siamese training needs it. Its block's training forward takes
 * {@code (p1, g2, p2, g1, ids (B) int64, coin (1) float32)} — the probe network's features of both views,
 * the gallery network's (no gradient), the batch's identities, and a draw in [0, 1) that picks which
 * gallery view enters the queue — and returns {@code (logits1, logits2, labels)}: the logits of each
 * probe view over the queue, and each row's target column. The queue, its identities and its write
 * position are parameters that do not train, so checkpoints carry them.
 */
public interface PrototypeQueue {

    /** The identities whose features are in the queue now (empty slots excluded). */
    java.util.Set<Long> queuedIdentities();

    /** Columns in the queue; the batch size must divide it. */
    int queueSize();
}
