package io.facex.protocol.verification;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairListsTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void lfwLinesBecomeFaceXZoosImagePaths() throws Exception {
        StringBuilder s = new StringBuilder("10\t1\n");
        for (int f = 0; f < 10; f++) {
            s.append("Abel_Pacheco\t1\t4\n").append("Abdel_Madi_Shabneh\t1\tDean_Barker\t").append(f + 1).append('\n');
        }
        List<Pair> p = PairLists.lfw(file("pairs.txt", s.toString()));
        assertEquals(20, p.size());
        assertEquals(new Pair("Abel_Pacheco/Abel_Pacheco_0001.jpg", "Abel_Pacheco/Abel_Pacheco_0004.jpg", true, 0), p.get(0));
        assertEquals(new Pair("Abdel_Madi_Shabneh/Abdel_Madi_Shabneh_0001.jpg", "Dean_Barker/Dean_Barker_0010.jpg", false, 9),
                p.get(19));
    }

    @Test
    void malformedLinesAndForeignListsAreNamedWithFileAndLine() throws Exception {
        PairListException e = assertThrows(PairListException.class,
                () -> PairLists.lfw(file("a.txt", "10\t1\n" + "x\t1\t2\n".repeat(5) + "x\t1\n" + "y\t1\t2\n".repeat(14))));
        assertTrue(e.getMessage().startsWith(dir.resolve("a.txt") + ":7: "), e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.lfw(file("b.txt", "10\t1\n" + "x\t1\tz\n".repeat(20))));
        assertTrue(e.getMessage().contains(":2: expected a name and an image number"), e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.lfw(file("c.txt", "Aaron_1.jpg 1\nAaron_2.jpg 1\n")));
        assertTrue(e.getMessage().contains(":1: expected LFW's header") && e.getMessage().contains("CPLFW/CALFW"), e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.rfw(file("d.txt", "10\t300\nm.1\t1\t2\n")));
        assertTrue(e.getMessage().contains(":1: this looks like LFW's pairs.txt header"), e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.cplfw(file("e.txt", "10\t300\nA\t1\t2\n")));
        assertTrue(e.getMessage().contains(":1: expected CPLFW's 'file label' lines"), e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.cplfw(file("f.txt", "a.jpg 7\nb.jpg 7\n".repeat(20))));
        assertTrue(e.getMessage().contains(":1: CPLFW labels are 1 (same) or 0"), e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.lfw(dir.resolve("missing.txt")));
        assertTrue(e.getMessage().contains("missing.txt: no such pair list"), e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.lfw(file("g.txt", "10\t2\n" + "x\t1\t2\n".repeat(20))));
        assertTrue(e.getMessage().contains("the header promises 10 folds of 2"), e.getMessage());
    }

    /** FaceX-Zoo's CPLFW/CALFW regrouping: fold f = same-person pairs [n·f, n·f+n) then different-person ones. */
    @Test
    void twoLineListsAreRegroupedFoldByFold() throws Exception {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < 40; k++) {
            String label = k < 20 ? Integer.toString(k + 5) : "0";
            s.append("p").append(k).append("a.jpg ").append(label).append('\n');
            s.append("p").append(k).append("b.jpg ").append(label).append('\n');
        }
        List<Pair> p = PairLists.calfw(file("pairs_CALFW.txt", s.toString()));
        assertEquals(40, p.size());
        assertEquals(new Pair("p0a.jpg", "p0b.jpg", true, 0), p.get(0));
        assertEquals(new Pair("p1a.jpg", "p1b.jpg", true, 0), p.get(1));
        assertEquals(new Pair("p20a.jpg", "p20b.jpg", false, 0), p.get(2));
        assertEquals(new Pair("p2a.jpg", "p2b.jpg", true, 1), p.get(4));
        assertEquals(new Pair("p39a.jpg", "p39b.jpg", false, 9), p.get(39));
    }

    /** Every synthetic list, parsed by its real parser, gives back exactly the pairs written, in FaceX-Zoo's order. */
    @Test
    void syntheticBenchmarksParseBackIntoTheirPairs() throws Exception {
        SyntheticBenchmarks.Result b = ProtocolFixtures.benchmarks(dir);
        Map<String, List<Pair>> parsed = new LinkedHashMap<>();
        parsed.put("LFW", PairLists.lfw(b.lfw()));
        parsed.put("CPLFW", PairLists.cplfw(b.cplfw()));
        parsed.put("CALFW", PairLists.calfw(b.calfw()));
        for (int r = 0; r < 4; r++) {
            parsed.put("RFW_" + SyntheticBenchmarks.RACES.get(r), PairLists.rfw(b.rfw().get(r)));
        }
        int n = 20 * ProtocolFixtures.PAIRS_PER_FOLD;
        for (Map.Entry<String, List<Pair>> e : parsed.entrySet()) {
            List<Pair> pairs = e.getValue();
            List<SyntheticBenchmarks.ListedPair> written = b.pairs().get(e.getKey());
            assertEquals(n, pairs.size(), e.getKey());
            assertEquals(written, pairs.stream().map(p -> new SyntheticBenchmarks.ListedPair(p.image1(), p.image2(), p.same()))
                    .toList(), e.getKey());
            for (int k = 0; k < n; k++) {
                assertEquals(k / (n / 10), pairs.get(k).fold(), e.getKey() + " pair " + k);
                assertTrue(Files.exists(dir.resolve("faces/test").resolve(pairs.get(k).image2())), pairs.get(k).image2());
            }
        }
        String conf = Files.readString(b.dataConf());
        for (String section : List.of("LFW:", "CPLFW:", "CALFW:", "AgeDB30:", "RFW_African:", "RFW_Indian:")) {
            assertTrue(conf.contains("\n" + section) || conf.startsWith(section), section + " in " + conf);
        }
    }

    /** AgeDB-30's MATLAB file, or a list of another benchmark, handed to a text parser: said so, not garbled. */
    @Test
    void aMatFileOrAnotherBenchmarksListIsNamed() throws Exception {
        SyntheticBenchmarks.Result b = ProtocolFixtures.benchmarks(dir);
        PairListException e = assertThrows(PairListException.class, () -> PairLists.lfw(b.agedb30()));
        assertTrue(e.getMessage().contains("a MATLAB MAT-file (as AgeDB-30's protocol is); expected LFW's pairs.txt"),
                e.getMessage());
        e = assertThrows(PairListException.class, () -> PairLists.calfw(b.agedb30()));
        assertTrue(e.getMessage().contains("expected CALFW's pairs_CALFW.txt"), e.getMessage());
        assertTrue(PairLists.isMatFile(b.agedb30()));
        assertFalse(PairLists.isMatFile(b.lfw()));
        assertEquals("LFW's pairs.txt", PairLists.looksLike(b.lfw()));
        assertTrue(PairLists.looksLike(b.rfw().get(0)).startsWith("an RFW"));
        assertTrue(PairLists.looksLike(b.cplfw()).startsWith("a CPLFW or CALFW list"));
        e = assertThrows(PairListException.class, () -> PairLists.rfw(b.cplfw()));
        assertTrue(e.getMessage().startsWith(b.cplfw() + ":1: expected RFW's"), e.getMessage());
    }
}
