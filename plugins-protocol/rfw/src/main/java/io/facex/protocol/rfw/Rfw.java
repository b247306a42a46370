package io.facex.protocol.rfw;

import io.facex.api.AbstractPlugin;
import io.facex.api.FeatureLookup;
import io.facex.api.InvalidConfigException;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairLists;
import io.facex.protocol.verification.PairProtocol;
import io.facex.protocol.verification.PairsConfig;
import io.facex.protocol.verification.Verification;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Racial Faces in the Wild: four pair lists (African, Asian, Caucasian, Indian), each scored and
 * reported on its own as {@code RFW-<Race>}. FaceX-Zoo's data_conf.yaml has one section per race
 * ({@code RFW_African}, ...), each with its own face folder; the platform hands them to this plugin as
 * the four keys of its configuration. A race without a section is left out.
 */
public final class Rfw extends AbstractPlugin<Rfw.Config> implements TestProtocol<Rfw.Config> {

    public record Config(PairsConfig african, PairsConfig asian, PairsConfig caucasian, PairsConfig indian) {
        Map<String, PairsConfig> races() {
            Map<String, PairsConfig> m = new LinkedHashMap<>();
            m.put("African", african);
            m.put("Asian", asian);
            m.put("Caucasian", caucasian);
            m.put("Indian", indian);
            m.values().removeIf(c -> c == null || c.pairsFilePath() == null || c.pairsFilePath().isBlank());
            return m;
        }
    }

    /** The defaults name no race: each comes from its own data_conf.yaml section. */
    public Rfw() {
        super("RFW", "Racial Faces in the Wild: African, Asian, Caucasian and Indian pair lists, each with 10-fold accuracy, TAR@FAR, ROC",
                Config.class, new Config(null, null, null, null));
    }

    @Override
    public void validate(Config c) {
        for (Map.Entry<String, PairsConfig> e : c.races().entrySet()) {
            if (e.getValue().croppedFaceFolder() == null || e.getValue().croppedFaceFolder().isBlank()) {
                throw new InvalidConfigException(e.getKey().toLowerCase(java.util.Locale.ROOT) + ".cropped_face_folder",
                        "the folder of RFW's " + e.getKey() + " faces is required");
            }
        }
    }

    /** The races may live in different folders, so every image path is absolute. */
    @Override
    public Path imageRoot(Config c) {
        return Path.of("").toAbsolutePath();
    }

    @Override
    public List<String> images(Config c) throws IOException {
        if (c.races().isEmpty()) {
            throw new InvalidConfigException("african", "no race has a pair list (sections RFW_African, RFW_Asian, "
                    + "RFW_Caucasian, RFW_Indian with pairs_file_path)");
        }
        Set<String> all = new LinkedHashSet<>();
        for (PairsConfig r : c.races().values()) {
            all.addAll(PairProtocol.images(pairs(r)));
        }
        return new ArrayList<>(all);
    }

    @Override
    public ProtocolResult evaluate(Config c, FeatureLookup features, Path outputDirectory) throws IOException {
        Verification.Report report = new Verification.Report();
        for (Map.Entry<String, PairsConfig> e : c.races().entrySet()) {
            Verification.evaluate("RFW-" + e.getKey(), pairs(e.getValue()), features, outputDirectory, report);
        }
        return report.result();
    }

    /** A race's pairs with absolute image paths under its own face folder. */
    private static List<Pair> pairs(PairsConfig r) throws IOException {
        Path root = Path.of(r.croppedFaceFolder()).toAbsolutePath();
        List<Pair> out = new ArrayList<>();
        for (Pair p : PairLists.rfw(Path.of(r.pairsFilePath()))) {
            out.add(new Pair(root.resolve(p.image1()).toString(), root.resolve(p.image2()).toString(), p.same(), p.fold()));
        }
        return out;
    }
}
