package io.facex.protocol.agedb30;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairListException;
import io.facex.protocol.verification.PairProtocolContract;
import io.facex.protocol.verification.ProtocolFixtures;
import org.junit.jupiter.api.Test;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The protocol contract (end to end on a synthetic data_conf.yaml, LFW's list refused), and the
 * protocol file's reader on files of its own writer, of scipy, and damaged ones.
 */
class AgeDB30Test extends PairProtocolContract {

    AgeDB30Test() {
        super(new AgeDB30(), SyntheticBenchmarks.Result::agedb30, SyntheticBenchmarks.Result::lfw,
                "not a MAT-file; expected AgeDB-30's 04_FINAL_protocol_30_years.mat, this looks like LFW's pairs.txt");
    }

    @Test
    void theSyntheticProtocolFileParsesBackIntoItsPairs() throws Exception {
        List<Pair> pairs = AgeDbProtocolFile.read(bench.agedb30());
        int n = 20 * ProtocolFixtures.PAIRS_PER_FOLD;
        assertEquals(bench.pairs().get("AgeDB30"),
                pairs.stream().map(p -> new SyntheticBenchmarks.ListedPair(p.image1(), p.image2(), p.same())).toList());
        for (int k = 0; k < n; k++) {
            assertEquals(k / (n / 10), pairs.get(k).fold(), "pair " + k);
        }
    }

    /**
     * A file from another writer, so reader and writer cannot share a mistake: scipy 1.17's savemat of
     * {@code splits}, a 10×1 object array of {@code {'pairs': 2×4 object array of {'name': 'A<s>_<k>' or
     * 'B<s>_<k>', 'age': 30.0 or 60.0}, 'labels': [[1, 1, -1, -1]]}}; FaceX-Zoo's own indexing reads it
     * as the same 40 pairs.
     */
    @Test
    void readsAFileWrittenByScipy() throws Exception {
        Path file = Path.of(AgeDB30Test.class.getResource("/scipy_savemat_agedb_layout.mat").toURI());
        List<Pair> pairs = AgeDbProtocolFile.read(file);
        assertEquals(40, pairs.size());
        for (int k = 0; k < 40; k++) {
            int s = k / 4;
            assertEquals(new Pair("A" + s + "_" + k % 4 + ".jpg", "B" + s + "_" + k % 4 + ".jpg", k % 4 < 2, s), pairs.get(k));
        }
    }

    @Test
    void anotherBenchmarksListIsNamed() {
        PairListException e = assertThrows(PairListException.class, () -> AgeDbProtocolFile.read(bench.lfw()));
        assertEquals(bench.lfw() + ": not a MAT-file; expected AgeDB-30's 04_FINAL_protocol_30_years.mat, this looks "
                + "like LFW's pairs.txt", e.getMessage());
        e = assertThrows(PairListException.class, () -> AgeDbProtocolFile.read(bench.calfw()));
        assertTrue(e.getMessage().endsWith("this looks like a CPLFW or CALFW list (pairs_CPLFW.txt, pairs_CALFW.txt)"),
                e.getMessage());
        e = assertThrows(PairListException.class, () -> AgeDbProtocolFile.read(dir.resolve("nope.mat")));
        assertTrue(e.getMessage().endsWith("nope.mat: no such protocol file"), e.getMessage());
    }

    /** Each kind of damage is named with the split and pair (1-based) where it is. */
    @Test
    void malformedFilesNameTheSplitAndPair() throws Exception {
        IntFunction<Array> image = k -> Mat5.newStruct().set("name", Mat5.newString("x/x_" + k)).set("age", Mat5.newScalar(30));
        Path bad = write("label.mat", 10, 4, (s, k) -> s == 2 && k == 1 ? 0 : 1, image);
        assertMessage(bad, "split 3, pair 2: labels are 1 (same person) or -1 (not), found 0.0");
        assertMessage(write("nine.mat", 9, 4, (s, k) -> 1, image), "'splits' should be a 10×1 cell array of splits, found cell 9×1");
        assertMessage(write("char.mat", 10, 4, (s, k) -> 1, k -> Mat5.newString("x/x_" + k)),
                "split 1, pair 1: expected an image as a struct whose first field is its name, found char 1×5");
        try (MatFile m = Mat5.newMatFile().addArray("folds", Mat5.newScalar(1))) {
            Mat5.writeToFile(m, dir.resolve("var.mat").toFile());
        }
        assertMessage(dir.resolve("var.mat"), "no variable 'splits' (AgeDB-30's protocol has one); the file holds [folds]");
        byte[] whole = Files.readAllBytes(bench.agedb30());
        Path cut = Files.write(dir.resolve("cut.mat"), Arrays.copyOf(whole, 300));
        assertMessage(cut, "cannot be read as a MAT-file");
    }

    private interface Label {
        double of(int split, int pair);
    }

    private static Path write(String name, int splits, int n, Label label, IntFunction<Array> image) throws Exception {
        Cell all = Mat5.newCell(splits, 1);
        for (int s = 0; s < splits; s++) {
            Cell pairs = Mat5.newCell(2, n);
            Matrix labels = Mat5.newMatrix(1, n);
            for (int k = 0; k < n; k++) {
                pairs.set(0, k, image.apply(2 * k));
                pairs.set(1, k, image.apply(2 * k + 1));
                labels.setDouble(k, label.of(s, k));
            }
            all.set(s, 0, Mat5.newStruct().set("pairs", pairs).set("labels", labels));
        }
        Path file = dir.resolve(name);
        try (MatFile m = Mat5.newMatFile().addArray("splits", all)) {
            Mat5.writeToFile(m, file.toFile());
        }
        return file;
    }

    private static void assertMessage(Path file, String expected) {
        PairListException e = assertThrows(PairListException.class, () -> AgeDbProtocolFile.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(expected), e.getMessage());
    }
}
