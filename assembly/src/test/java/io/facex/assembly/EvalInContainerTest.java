package io.facex.assembly;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.tools.synthetic.SyntheticFaces;
import io.facex.launch.FacexContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code facex eval} in the real container on synthetic benchmarks in their official formats, with
 * FaceX-Zoo's own MobileFaceNet weights: the results tables, the cache, and bad input of each kind.
 */
class EvalInContainerTest {

    static Path home;
    static FacexContainer container;
    static SyntheticFaces.Result faces;
    static SyntheticBenchmarks.Result bench;
    static final Path WEIGHTS = Path.of("../platform-weights/src/test/resources/fixtures/facexzoo_mobilefacenet_mv_epoch0.pt")
            .toAbsolutePath();

    @BeforeAll
    static void boot() throws Exception {
        home = Dist.newHome();
        container = FacexContainer.start(home, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true));
        faces = SyntheticFaces.builder(home.resolve("syn")).identities(0).heldOutIdentities(8).imagesPerIdentity(3)
                .folds(10).pairsPerFold(1).seed(4).overwrite(true).generate();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            names.add(SyntheticFaces.testName(i));
        }
        bench = SyntheticBenchmarks.write(faces, names, 3, 1, 4, home.resolve("bench"));
    }

    @AfterAll
    static void shutdown() throws Exception {
        container.close();
    }

    @Test
    void evaluatesEveryBenchmarkOfTheDataConfigAndReusesItsCache() throws Exception {
        Path out = home.resolve("eval1");
        ContainerTest.Result r = TrainingInContainerTest.run(container, "eval --data_conf " + bench.dataConf()
                + " --backbone MobileFaceNet --model " + WEIGHTS + " --out " + out);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().matches("(?s).*\\| model +\\| LFW +\\| CPLFW +\\| CALFW +\\| AgeDB30 +\\| RFW-African .*"), r.out());
        assertTrue(r.out().matches("(?s).*\\| facexzoo_mobilefacenet_mv_epoch0 \\| [01]\\.\\d{4} ± .*"), r.out());
        for (String f : List.of("results.md", "results.csv", "results.json", "metrics.csv", "scores.csv",
                "facexzoo_mobilefacenet_mv_epoch0/LFW/LFW_roc.png", "facexzoo_mobilefacenet_mv_epoch0/RFW/RFW-Indian_roc.csv",
                "facexzoo_mobilefacenet_mv_epoch0/AgeDB30/AgeDB30_roc.png")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("metrics.csv")).contains("LFW,TAR@FAR=1e-1,"));

        // scores.csv: every listed pair of every benchmark, in list order, with its label and score
        List<List<String>> rows = csv(out.resolve("scores.csv"));
        assertEquals(List.of("model", "benchmark", "image1", "image2", "label", "score"), rows.get(0));
        int listed = bench.pairs().values().stream().mapToInt(List::size).sum();
        assertEquals(listed, rows.size() - 1);
        assertTrue(r.out().contains("every pair's score: " + out.resolve("scores.csv") + " (" + listed + " pairs)"), r.out());
        int i = 1;
        for (Map.Entry<String, List<SyntheticBenchmarks.ListedPair>> e : bench.pairs().entrySet()) {
            for (SyntheticBenchmarks.ListedPair p : e.getValue()) {
                List<String> row = rows.get(i++);
                String where = e.getKey() + ": " + row;
                assertEquals("facexzoo_mobilefacenet_mv_epoch0", row.get(0), where);
                assertEquals(e.getKey().replace('_', '-'), row.get(1), where);
                assertTrue(row.get(2).endsWith(p.image1()) && row.get(3).endsWith(p.image2()), where + " vs " + p);
                assertEquals(p.same() ? "1" : "0", row.get(4), where);
                assertTrue(Math.abs(Double.parseDouble(row.get(5))) <= 1.0001, where);
            }
        }

        // one pair's score recomputed from features embedded on their own (facex embed, L2-normalised)
        List<String> lfw = rows.get(1);
        Path list = Files.writeString(home.resolve("one_pair.txt"), lfw.get(2) + "\n" + lfw.get(3) + "\n");
        ContainerTest.Result embed = TrainingInContainerTest.run(container, "embed -b MobileFaceNet --weights " + WEIGHTS + " --input " + list
                + " --data_root " + faces.testRoot() + " --output " + home.resolve("one_pair.npy"));
        assertEquals(0, embed.status(), embed.err() + embed.out());
        float[] f = io.facex.weights.Npy.read(home.resolve("one_pair.npy")).toFloatArray();
        float dot = 0;
        for (int d = 0; d < f.length / 2; d++) {
            dot += f[d] * f[f.length / 2 + d];
        }
        assertEquals(dot, Float.parseFloat(lfw.get(5)), 1e-5, lfw.toString());

        ContainerTest.Result again = TrainingInContainerTest.run(container, "eval -d " + bench.dataConf() + " -b MobileFaceNet -m " + WEIGHTS
                + " -o " + out + " -p LFW");
        assertEquals(0, again.status(), again.err() + again.out());
        assertTrue(again.out().contains("features from the cache"), again.out());
        assertEquals(Files.readString(out.resolve("results.md")).lines().skip(2).findFirst().orElseThrow().split("\\|")[2],
                again.out().lines().filter(l -> l.startsWith("| facexzoo")).findFirst().orElseThrow().split("\\|")[2]);
    }

    @Test
    void badInputIsNamedAndNothingIsSilentlyDropped() throws Exception {
        // an image on the pair list that is not on disk: its pairs are skipped and counted
        Path copy = home.resolve("faces-copy");
        copyTree(faces.testRoot(), copy);
        String firstImage = Files.readAllLines(bench.lfw()).get(1).split("\t")[0];
        Files.delete(copy.resolve(firstImage).resolve(firstImage + "_0001.jpg"));
        Path conf = Files.writeString(home.resolve("missing.yaml"), "LFW:\n  pairs_file_path: " + bench.lfw()
                + "\n  cropped_face_folder: " + copy + "\n");
        ContainerTest.Result r = TrainingInContainerTest.run(container, "eval -d " + conf + " -b MobileFaceNet -m " + WEIGHTS + " -o " + home.resolve("e2"));
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("could not be read") && r.out().matches("(?s).*LFW \\S+: \\d+ skipped \\(LFW: pairs with an image that has no feature\\).*"),
                r.out());
        // ... and still in scores.csv, without a score
        String gone = firstImage + "/" + firstImage + "_0001.jpg";
        List<List<String>> rows = csv(home.resolve("e2").resolve("scores.csv"));
        assertEquals(bench.pairs().get("LFW").size(), rows.size() - 1);
        List<List<String>> unscored = rows.stream().skip(1).filter(row -> row.get(5).isEmpty()).toList();
        long spoiled = bench.pairs().get("LFW").stream().filter(p -> p.image1().equals(gone) || p.image2().equals(gone)).count();
        assertTrue(spoiled > 0);
        assertEquals(spoiled, unscored.size(), unscored.toString());
        assertTrue(unscored.stream().allMatch(row -> row.get(2).equals(gone) || row.get(3).equals(gone)), unscored.toString());
        assertTrue(r.out().contains("(" + (rows.size() - 1) + " pairs, " + spoiled + " skipped, without a score)"), r.out());

        // a malformed line: file and line
        List<String> lines = new ArrayList<>(Files.readAllLines(bench.lfw()));
        lines.set(3, "Synth_00001\t1");
        Path bad = Files.write(home.resolve("bad_pairs.txt"), lines);
        conf = Files.writeString(home.resolve("bad.yaml"), "LFW:\n  pairs_file_path: " + bad + "\n  cropped_face_folder: "
                + faces.testRoot() + "\n");
        r = TrainingInContainerTest.run(container, "eval -d " + conf + " -b MobileFaceNet -m " + WEIGHTS + " -o " + home.resolve("e3"));
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains(bad + ":4: expected LFW's"), r.err());

        // another benchmark's list under LFW
        conf = Files.writeString(home.resolve("foreign.yaml"), "LFW:\n  pairs_file_path: " + bench.cplfw()
                + "\n  cropped_face_folder: " + faces.testRoot() + "\n");
        r = TrainingInContainerTest.run(container, "eval -d " + conf + " -b MobileFaceNet -m " + WEIGHTS + " -o " + home.resolve("e4"));
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("looks like a CPLFW/CALFW list"), r.err());

        // a wrong key, an unknown protocol, a missing checkpoint
        conf = Files.writeString(home.resolve("key.yaml"), "LFW:\n  pairs_file: x\n");
        r = TrainingInContainerTest.run(container, "eval -d " + conf + " -b MobileFaceNet -m " + WEIGHTS);
        assertTrue(r.err().contains("key.yaml:2: LFW.pairs_file: unknown key") && r.err().contains("pairs_file_path"), r.err());
        r = TrainingInContainerTest.run(container, "eval -d " + bench.dataConf() + " -b MobileFaceNet -m " + WEIGHTS + " -p LWF");
        assertTrue(r.err().contains("did you mean 'LFW'"), r.err());
        r = TrainingInContainerTest.run(container, "eval -d " + bench.dataConf() + " -m " + home.resolve("nope.pt"));
        assertTrue(r.err().contains("nope.pt: no such checkpoint or folder"), r.err());
        assertFalse(r.status() == 0);
        // FaceX-Zoo's .pt does not name its backbone: the user is asked for one instead of a guess
        r = TrainingInContainerTest.run(container, "eval -d " + bench.dataConf() + " -m " + WEIGHTS + " -o " + home.resolve("e5"));
        assertTrue(r.err().contains("does not say which backbone it holds") && r.err().contains("give -b NAME")
                && r.err().contains("MobileFaceNet"), r.err());
        assertFalse(r.status() == 0);
    }

    /** A CSV file's records (RFC 4180: quoted cells may hold commas, doubled quotes and line breaks). */
    static List<List<String>> csv(Path file) throws java.io.IOException {
        String text = Files.readString(file);
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\n') {
                record.add(cell.toString());
                cell.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            } else if (c != '\r') {
                cell.append(c);
            }
        }
        assertTrue(record.isEmpty() && cell.length() == 0, file + " does not end with a line break");
        return records;
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
