package io.facex.protocol.cplfw;

import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairLists;
import io.facex.protocol.verification.PairProtocol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** CPLFW verification, as FaceX-Zoo's {@code test_lfw.py} scores it. */
public final class Cplfw extends PairProtocol {

    public Cplfw() {
        super("CPLFW", "Cross-Pose LFW: 6,000 pairs with large pose gaps (pairs_CPLFW.txt), 10-fold accuracy, TAR@FAR, ROC");
    }

    @Override
    protected List<Pair> read(Path pairsFile) throws IOException {
        return PairLists.cplfw(pairsFile);
    }
}
