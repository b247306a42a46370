package io.facex.protocol.megaface;

import io.facex.api.InvalidConfigException;

/**
 * MegaFace-Mask, FaceX-Zoo's {@code MaskedMegaFaceEvaluator}: the probe is the masked FaceScrub image
 * (FMA-3D), the gallery its unmasked image; distractors are scored against the masked probe. Its own
 * section ({@code MegaFace-Mask:}) lets one data_conf run both protocols.
 */
public final class MegaFaceMask extends MegaFaceProtocol {

    static final String NAME = "MegaFace-Mask";

    public MegaFaceMask() {
        super(NAME, "MegaFace identification with masked FaceScrub probes against unmasked galleries, rank-N (CMC)",
                MegaFaceConfig.defaults(1));
    }

    @Override
    public void validate(MegaFaceConfig c) {
        super.validate(c);
        if (c.megafaceMask() != 1) {
            throw new InvalidConfigException("megaface-mask", "is 0, but MegaFace-Mask always evaluates masked probes; "
                    + "set it to 1 or leave it out (the unmasked protocol is MegaFace)");
        }
    }

    @Override
    boolean masked(MegaFaceConfig c) {
        return true;
    }
}
