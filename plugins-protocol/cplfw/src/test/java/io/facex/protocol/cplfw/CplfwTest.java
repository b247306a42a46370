package io.facex.protocol.cplfw;

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

class CplfwTest {

    @Test
    void endToEndOnTheSyntheticDataConf(@TempDir Path dir) throws Exception {
        SyntheticBenchmarks.Result bench = ProtocolFixtures.benchmarks(dir);
        Cplfw protocol = new Cplfw();
        assertEquals("CPLFW", protocol.name());
        protocol.validate(protocol.defaultConfig());
        PairsConfig c = ProtocolFixtures.bind(protocol, bench.dataConf(), "CPLFW");
        protocol.validate(c);
        assertEquals(bench.cplfw().toAbsolutePath().toString(), c.pairsFilePath());
        ProtocolFixtures.checkEndToEnd(protocol, c, bench, List.of("CPLFW"), List.of("CPLFW"), dir.resolve("out"));

        // another benchmark's file under this section is refused, naming it
        PairsConfig foreign = new PairsConfig(bench.agedb30().toString(), c.croppedFaceFolder(), null);
        PairListException e = assertThrows(PairListException.class, () -> protocol.images(foreign));
        assertEquals(bench.agedb30() + ": a MATLAB MAT-file (as AgeDB-30's protocol is); expected "
                + "CPLFW's pairs_CPLFW.txt", e.getMessage());
    }
}
