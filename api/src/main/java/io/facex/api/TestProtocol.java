package io.facex.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An evaluation benchmark (FaceX-Zoo's {@code test_protocol/}): LFW, CPLFW, CALFW, AgeDB30, RFW,
 * MegaFace, ... The platform extracts the features of {@link #images}, shared by all protocols and
 * cached, then calls {@link #evaluate}.
 */
public interface TestProtocol<C> extends Plugin<C> {

    /** The folder the image paths of {@link #images} are relative to. */
    Path imageRoot(C config);

    /**
     * Every image the protocol needs a feature for, as paths relative to {@link #imageRoot}; a protocol
     * whose images live under two folders (MegaFace-Mask: masked probes, unmasked gallery) returns
     * absolute paths for the other folder. {@link FeatureLookup#feature} is asked with the same strings.
     */
    List<String> images(C config) throws IOException;

    /**
     * Scores the features; every skipped pair or probe is counted in the result, never dropped.
     *
     * @param outputDirectory an existing folder, this protocol's own for this model, for the files it
     *                        writes (ROC curves, CMC tables), listed in {@link ProtocolResult#artifacts}
     */
    ProtocolResult evaluate(C config, FeatureLookup features, Path outputDirectory) throws IOException;
}
