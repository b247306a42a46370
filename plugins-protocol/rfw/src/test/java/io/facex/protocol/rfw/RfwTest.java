package io.facex.protocol.rfw;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facex.api.InvalidConfigException;
import io.facex.api.ProtocolResult;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.protocol.verification.PairListException;
import io.facex.protocol.verification.PairsConfig;
import io.facex.protocol.verification.ProtocolFixtures;
import io.facex.testkit.TestProtocolContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol contract, and RFW's four sections end to end on a synthetic data_conf.yaml. */
class RfwTest extends TestProtocolContract<Rfw.Config> {

    RfwTest() {
        super(new Rfw());
    }

    /** FaceX-Zoo's four sections RFW_African ... RFW_Indian, handed over as facex eval does: one key per race. */
    static Rfw.Config bind(Rfw rfw, Path dataConf) {
        ConfigDocument doc = ConfigDocument.read(dataConf);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (String s : doc.sections()) {
            if (s.startsWith("RFW_")) {
                node.set(s.substring(4).toLowerCase(Locale.ROOT), doc.root().get(s));
            }
        }
        return Configs.bind(rfw, doc, List.of("RFW"), node);
    }

    @Test
    void everyRaceEndToEndAndReportedSeparately(@TempDir Path dir) throws Exception {
        SyntheticBenchmarks.Result bench = ProtocolFixtures.benchmarks(dir);
        Rfw rfw = new Rfw();
        assertEquals("RFW", rfw.name());
        rfw.validate(rfw.defaultConfig());
        Rfw.Config c = bind(rfw, bench.dataConf());
        rfw.validate(c);
        assertEquals(bench.rfw().get(3).toAbsolutePath().toString(), c.indian().pairsFilePath());
        List<String> races = SyntheticBenchmarks.RACES;
        ProtocolFixtures.checkEndToEnd(rfw, c, bench, races.stream().map(r -> "RFW_" + r).toList(),
                races.stream().map(r -> "RFW-" + r).toList(), dir.resolve("out"));
    }

    /** A race without a section is left out; a race with a list but no face folder is refused by its key. */
    @Test
    void aMissingRaceIsLeftOutAndAnIncompleteOneNamed(@TempDir Path dir) throws Exception {
        SyntheticBenchmarks.Result bench = ProtocolFixtures.benchmarks(dir);
        Rfw rfw = new Rfw();
        Rfw.Config all = bind(rfw, bench.dataConf());
        Rfw.Config asianOnly = new Rfw.Config(null, all.asian(), null, null);
        ProtocolResult r = rfw.evaluate(asianOnly, ProtocolFixtures.features(true, null),
                Files.createDirectories(dir.resolve("out")));
        assertTrue(r.scores().stream().allMatch(s -> s.benchmark().equals("RFW-Asian")), r.scores().toString());
        assertNull(ProtocolFixtures.score(r, "RFW-African", "accuracy"));

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> rfw.validate(
                new Rfw.Config(null, null, null, new PairsConfig(all.indian().pairsFilePath(), "", null))));
        assertTrue(e.getMessage().contains("indian.cropped_face_folder"), e.getMessage());

        // LFW's pairs.txt given as a race's list: its header is named at line 1
        Rfw.Config lfw = new Rfw.Config(new PairsConfig(bench.lfw().toString(), all.african().croppedFaceFolder(), null),
                null, null, null);
        PairListException p = assertThrows(PairListException.class, () -> rfw.images(lfw));
        assertTrue(p.getMessage().startsWith(bench.lfw() + ":1: this looks like LFW's pairs.txt header"), p.getMessage());
    }
}
