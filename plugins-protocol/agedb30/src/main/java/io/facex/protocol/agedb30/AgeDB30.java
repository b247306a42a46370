package io.facex.protocol.agedb30;

import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairProtocol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** AgeDB-30 verification, as FaceX-Zoo's {@code test_lfw.py} scores it. */
public final class AgeDB30 extends PairProtocol {

    public AgeDB30() {
        super("AgeDB30", "AgeDB-30: 6,000 pairs 30 years apart (04_FINAL_protocol_30_years.mat), 10-fold accuracy, TAR@FAR, ROC");
    }

    @Override
    protected List<Pair> read(Path pairsFile) throws IOException {
        return AgeDbProtocolFile.read(pairsFile);
    }
}
