package io.facex.protocol.calfw;

import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairLists;
import io.facex.protocol.verification.PairProtocol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** CALFW verification, as FaceX-Zoo's {@code test_lfw.py} scores it. */
public final class Calfw extends PairProtocol {

    public Calfw() {
        super("CALFW", "Cross-Age LFW: 6,000 pairs with large age gaps (pairs_CALFW.txt), 10-fold accuracy, TAR@FAR, ROC");
    }

    @Override
    protected List<Pair> read(Path pairsFile) throws IOException {
        return PairLists.calfw(pairsFile);
    }
}
