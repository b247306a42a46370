package io.facex.protocol.calfw;

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

class CalfwTest {

    @Test
    void endToEndOnTheSyntheticDataConf(@TempDir Path dir) throws Exception {
        SyntheticBenchmarks.Result bench = ProtocolFixtures.benchmarks(dir);
        Calfw protocol = new Calfw();
        assertEquals("CALFW", protocol.name());
        protocol.validate(protocol.defaultConfig());
        PairsConfig c = ProtocolFixtures.bind(protocol, bench.dataConf(), "CALFW");
        protocol.validate(c);
        assertEquals(bench.calfw().toAbsolutePath().toString(), c.pairsFilePath());
        ProtocolFixtures.checkEndToEnd(protocol, c, bench, List.of("CALFW"), List.of("CALFW"), dir.resolve("out"));

        // another benchmark's file under this section is refused, naming it
        PairsConfig foreign = new PairsConfig(bench.agedb30().toString(), c.croppedFaceFolder(), null);
        PairListException e = assertThrows(PairListException.class, () -> protocol.images(foreign));
        assertEquals(bench.agedb30() + ": a MATLAB MAT-file (as AgeDB-30's protocol is); expected "
                + "CALFW's pairs_CALFW.txt", e.getMessage());
    }
}
