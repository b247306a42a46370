package io.facex.api;

/**
 * The sizes the platform builds a {@link Head} with: the backbone's feature dimension and the number of
 * identities in the training data. Passed explicitly, never by overriding configuration keys.
 *
 * @param featureDim the embedding size, the backbone's {@link Backbone#featureDim}
 * @param numClasses identities (labels 0 … numClasses − 1); 0 for a head that
 *                   {@linkplain Head#needsClassCount() needs no class count}
 */
public record HeadSize(int featureDim, int numClasses) {

    public HeadSize {
        if (featureDim < 1) {
            throw new IllegalArgumentException("featureDim must be positive, got " + featureDim);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be ≥ 0, got " + numClasses);
        }
    }
}
