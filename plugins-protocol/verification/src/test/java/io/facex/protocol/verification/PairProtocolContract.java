package io.facex.protocol.verification;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.testkit.TestProtocolContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The test of a one-list verification protocol ({@link PairProtocol}: LFW, CPLFW, CALFW, AgeDB30, ...):
 * the protocol contract, then end to end on synthetic benchmarks written in every official format —
 * its section of the data_conf.yaml bound as {@code facex eval} binds it, {@link ProtocolFixtures#checkEndToEnd}
 * on the result — and another benchmark's list under its section refused by name. A plugin's test is
 * its constructor:
 *
 * <pre>{@code
 * class LfwTest extends PairProtocolContract {
 *     LfwTest() {
 *         super(new Lfw(), SyntheticBenchmarks.Result::lfw, SyntheticBenchmarks.Result::agedb30,
 *                 "a MATLAB MAT-file (as AgeDB-30's protocol is); expected LFW's pairs.txt");
 *     }
 * }
 * }</pre>
 */
public abstract class PairProtocolContract extends TestProtocolContract<PairsConfig> {

    /** The synthetic benchmarks, written once per test class. */
    @TempDir
    protected static Path dir;
    protected static SyntheticBenchmarks.Result bench;

    private final PairProtocol protocol;
    private final Function<SyntheticBenchmarks.Result, Path> ownList;
    private final Function<SyntheticBenchmarks.Result, Path> foreignList;
    private final String foreignMessage;

    /**
     * @param protocol       the plugin; its name is its data_conf.yaml section
     * @param ownList        the protocol's own list among the synthetic benchmarks
     * @param foreignList    another benchmark's list, which the protocol must refuse
     * @param foreignMessage what it says about that list, after "path: "
     */
    protected PairProtocolContract(PairProtocol protocol, Function<SyntheticBenchmarks.Result, Path> ownList,
                                   Function<SyntheticBenchmarks.Result, Path> foreignList, String foreignMessage) {
        super(protocol);
        this.protocol = protocol;
        this.ownList = ownList;
        this.foreignList = foreignList;
        this.foreignMessage = foreignMessage;
    }

    @BeforeAll
    static void writeBenchmarks() throws Exception {
        bench = ProtocolFixtures.benchmarks(dir);
    }

    @Test
    public void endToEndOnTheSyntheticDataConf() throws Exception {
        String section = protocol.name();
        PairsConfig c = ProtocolFixtures.bind(protocol, bench.dataConf(), section);
        protocol.validate(c);
        assertEquals(ownList.apply(bench).toAbsolutePath().toString(), c.pairsFilePath());
        ProtocolFixtures.checkEndToEnd(protocol, c, bench, List.of(section), List.of(section), dir.resolve("out-" + section));
    }

    @Test
    public void anotherBenchmarksListIsRefusedByName() throws Exception {
        PairsConfig c = ProtocolFixtures.bind(protocol, bench.dataConf(), protocol.name());
        Path foreign = foreignList.apply(bench);
        PairListException e = assertThrows(PairListException.class,
                () -> protocol.images(new PairsConfig(foreign.toString(), c.croppedFaceFolder(), null)));
        assertEquals(foreign + ": " + foreignMessage, e.getMessage());
    }
}
