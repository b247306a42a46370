package io.facex.protocol.verification;

import io.facex.api.AbstractPlugin;
import io.facex.api.FeatureLookup;
import io.facex.api.InvalidConfigException;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A verification benchmark of one pair list (LFW, CPLFW, CALFW, ...): a plugin only names itself and
 * says how its list is read.
 */
public abstract class PairProtocol extends AbstractPlugin<PairsConfig> implements TestProtocol<PairsConfig> {

    /**
     * @param name        the benchmark's name, which is also its data_conf.yaml section (FaceX-Zoo's spelling)
     * @param description one line for listings
     */
    protected PairProtocol(String name, String description) {
        super(name, description, PairsConfig.class, PairsConfig.defaults());
    }

    /** Reads this benchmark's official pair list. */
    protected abstract List<Pair> read(Path pairsFile) throws IOException;

    /** The defaults name no files (the plugin must accept them); a section naming one must name both. */
    @Override
    public void validate(PairsConfig c) {
        boolean pairs = c.pairsFilePath() != null && !c.pairsFilePath().isBlank();
        boolean faces = c.croppedFaceFolder() != null && !c.croppedFaceFolder().isBlank();
        if (faces && !pairs) {
            throw new InvalidConfigException("pairs_file_path", "the benchmark's pair list is required");
        }
        if (pairs && !faces) {
            throw new InvalidConfigException("cropped_face_folder", "the folder of the benchmark's faces is required");
        }
    }

    @Override
    public Path imageRoot(PairsConfig c) {
        return Path.of(c.croppedFaceFolder());
    }

    @Override
    public List<String> images(PairsConfig c) throws IOException {
        return images(read(pairsFile(c)));
    }

    @Override
    public ProtocolResult evaluate(PairsConfig c, FeatureLookup features, Path outputDirectory) throws IOException {
        return Verification.evaluate(name(), read(pairsFile(c)), features, outputDirectory);
    }

    private Path pairsFile(PairsConfig c) {
        if (c.pairsFilePath() == null || c.pairsFilePath().isBlank()) {
            throw new InvalidConfigException("pairs_file_path", name() + " needs its pair list and face folder "
                    + "(pairs_file_path, cropped_face_folder in its data_conf.yaml section)");
        }
        return Path.of(c.pairsFilePath());
    }

    /** Every image of the pairs once, in order of first use. */
    public static List<String> images(List<Pair> pairs) {
        Set<String> s = new LinkedHashSet<>();
        for (Pair p : pairs) {
            s.add(p.image1());
            s.add(p.image2());
        }
        return new ArrayList<>(s);
    }
}
