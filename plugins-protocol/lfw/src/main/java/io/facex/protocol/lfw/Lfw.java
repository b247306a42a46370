package io.facex.protocol.lfw;

import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairLists;
import io.facex.protocol.verification.PairProtocol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** LFW verification, as FaceX-Zoo's {@code test_lfw.py} scores it. */
public final class Lfw extends PairProtocol {

    public Lfw() {
        super("LFW", "Labeled Faces in the Wild: 6,000 pairs in 10 folds (pairs.txt), FaceX-Zoo 10-fold accuracy, TAR@FAR, ROC");
    }

    @Override
    protected List<Pair> read(Path pairsFile) throws IOException {
        return PairLists.lfw(pairsFile);
    }
}
