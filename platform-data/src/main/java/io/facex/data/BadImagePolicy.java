package io.facex.data;

/** What the loader does with an image it cannot read, decode or use. */
public enum BadImagePolicy {
    /** Stop: the batch that needs the image throws a {@link DataException} naming the list file and line. */
    FAIL,
    /**
     * Leave the sample out (its batch comes out one sample short) and count it; the epoch reports the
     * count and the first few reasons.
     */
    SKIP
}
