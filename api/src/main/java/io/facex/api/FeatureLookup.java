package io.facex.api;

import org.osgi.annotation.versioning.ProviderType;

/** L2-normalised features by image path, as extracted by the platform for a {@link TestProtocol}. */
@ProviderType
public interface FeatureLookup {

    /** The feature of an image path from {@link TestProtocol#images}, or null if it could not be extracted. */
    float[] feature(String image);

    /** The length of every feature. */
    int dimension();
}
