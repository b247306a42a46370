package io.facex.protocol.megaface;

/**
 * MegaFace Challenge 1 identification, FaceX-Zoo's {@code CommonMegaFaceEvaluator}: FaceScrub probes
 * and galleries against up to a million MegaFace distractors, rank-1..max_rank per distractor count.
 * With {@code megaface-mask: 1} in its section it evaluates MegaFace-Mask instead, as FaceX-Zoo's
 * {@code test_megaface.py} does, so FaceX-Zoo's data_conf.yaml works unchanged.
 */
public final class MegaFace extends MegaFaceProtocol {

    static final String NAME = "MegaFace";

    public MegaFace() {
        super(NAME, "MegaFace Challenge 1 identification: FaceScrub vs up to 1M distractors, rank-N (CMC)",
                MegaFaceConfig.defaults(0));
    }

    @Override
    boolean masked(MegaFaceConfig c) {
        return c.megafaceMask() == 1;
    }
}
