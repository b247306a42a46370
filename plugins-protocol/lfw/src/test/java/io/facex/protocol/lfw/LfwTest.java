package io.facex.protocol.lfw;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.protocol.verification.PairListException;
import io.facex.protocol.verification.PairsConfig;
import io.facex.protocol.verification.ProtocolFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LfwTest {

    @Test
    void endToEndOnTheSyntheticDataConf(@TempDir Path dir) throws Exception {
        SyntheticBenchmarks.Result bench = ProtocolFixtures.benchmarks(dir);
        Lfw protocol = new Lfw();
        assertEquals("LFW", protocol.name());
        protocol.validate(protocol.defaultConfig());
        PairsConfig c = ProtocolFixtures.bind(protocol, bench.dataConf(), "LFW");
        protocol.validate(c);
        assertEquals(bench.lfw().toAbsolutePath().toString(), c.pairsFilePath());
        ProtocolFixtures.checkEndToEnd(protocol, c, bench, List.of("LFW"), List.of("LFW"), dir.resolve("out"));

        // another benchmark's file under this section is refused, naming it
        PairsConfig foreign = new PairsConfig(bench.agedb30().toString(), c.croppedFaceFolder(), null);
        PairListException e = assertThrows(PairListException.class, () -> protocol.images(foreign));
        assertEquals(bench.agedb30() + ": a MATLAB MAT-file (as AgeDB-30's protocol is); expected "
                + "LFW's pairs.txt", e.getMessage());
    }
}
