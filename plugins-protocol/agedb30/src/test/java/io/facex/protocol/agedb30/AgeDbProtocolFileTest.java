package io.facex.protocol.agedb30;

import io.facex.api.FeatureLookup;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairListException;
import io.facex.protocol.verification.PairsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Struct;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader against files whose reading by FaceX-Zoo's own parser is known, the writer, and the
 * plugin end to end. The {@code facexzoo-checked/} files were made by scipy's savemat (Debian's scipy
 * 1.10, once uncompressed with double labels, once compressed with int16 labels); the expected list
 * beside them is what FaceX-Zoo's {@code AgeDB_PairsParser} returned for both (its loop bound of 600
 * lowered to their 3 pairs per split), with the fold added as the split index.
 */
class AgeDbProtocolFileTest {

    @TempDir
    Path dir;

    @Test
    void scipyFilesReadAsFaceXZooReadsThem() throws Exception {
        List<Pair> expected = expected();
        assertEquals(30, expected.size());
        assertTrue(expected.stream().anyMatch(Pair::same) && expected.stream().anyMatch(p -> !p.same()));
        assertEquals(expected, AgeDbProtocolFile.read(resource("agedb30_scipy.mat")));
        assertEquals(expected, AgeDbProtocolFile.read(resource("agedb30_scipy_compressed.mat")));
    }

    @Test
    void textListsAndDamagedFilesAreNamed() throws Exception {
        Path text = Files.writeString(dir.resolve("pairs.txt"), "10\t300\nAbel_Pacheco\t1\t4\n", StandardCharsets.UTF_8);
        assertMessage(text, "not a MAT-file; expected AgeDB-30's 04_FINAL_protocol_30_years.mat, this looks like LFW's pairs.txt");

        byte[] whole = Files.readAllBytes(resource("agedb30_scipy.mat"));
        // the header alone is an empty MAT-file, which is a different mistake
        assertMessage(Files.write(dir.resolve("header.mat"), Arrays.copyOf(whole, 128)),
                "no variable 'splits' (AgeDB-30's protocol has one); the file holds []");
        for (int cut : new int[]{60, 200, whole.length / 2, whole.length - 1}) {
            Path file = Files.write(dir.resolve("cut" + cut + ".mat"), Arrays.copyOf(whole, cut));
            assertMessage(file, "cannot be read as a MAT-file");
        }
        byte[] compressed = Files.readAllBytes(resource("agedb30_scipy_compressed.mat"));
        Path file = Files.write(dir.resolve("zcut.mat"), Arrays.copyOf(compressed, compressed.length - 40));
        assertMessage(file, "cannot be read as a MAT-file");

        // a valid header over garbage: a MAT-file in name only
        byte[] garbage = Arrays.copyOf(whole, 4096);
        new Random(3).nextBytes(garbage);
        System.arraycopy(whole, 0, garbage, 0, 128);
        assertMessage(Files.write(dir.resolve("garbage.mat"), garbage), "cannot be read as a MAT-file");
    }

    /** Layouts FaceX-Zoo's indexing cannot read as AgeDB-30 (each checked with scipy) are refused. */
    @Test
    void wrongStructuresAreNamed() throws Exception {
        assertMessage(save("row.mat", splitsOf(1, 10, 3, 3, true)),
                "'splits' should be a 10×1 cell array of splits, found cell 1×10");
        Struct array = Mat5.newStruct(10, 1);
        assertMessage(save("structs.mat", array), "'splits' should be a 10×1 cell array of splits, found struct 10×1");
        Cell bare = splitsOf(10, 1, 3, 3, true);
        ((Cell) ((Struct) bare.get(4, 0)).get("pairs")).set(1, 2, Mat5.newString("x/x_1"));
        assertMessage(save("bare.mat", bare),
                "split 5, pair 3: expected an image as a struct whose first field is its name, found char 1×5");
        assertMessage(save("column.mat", splitsOf(10, 1, 3, 3, false)),
                "split 1: its second field ('labels') should be a 1×n row of labels, found double 3×1");
        Cell fewer = splitsOf(10, 1, 3, 3, true);
        fewer.set(2, 0, split(3, 4, true));
        assertMessage(save("fewer.mat", fewer), "split 3 has 3 pairs of names but 4 labels");
        Cell unequal = splitsOf(10, 1, 3, 3, true);
        unequal.set(6, 0, split(2, 2, true));
        assertMessage(save("unequal.mat", unequal), "split 7 has 2 pairs but split 1 has 3; AgeDB-30's splits are of equal size");
        try (MatFile m = Mat5.newMatFile().addArray("pairs", splitsOf(10, 1, 3, 3, true))) {
            Mat5.writeToFile(m, dir.resolve("var.mat").toFile());
        }
        assertMessage(dir.resolve("var.mat"), "no variable 'splits' (AgeDB-30's protocol has one); the file holds [pairs]");
    }

    /** The plugin from its data_conf section to scores, over a written file and features made here. */
    private static FeatureLookup features(List<String> images, double noise) {
        return new FeatureLookup() {
            @Override
            public float[] feature(String image) {
                assertTrue(images.contains(image), image);
                Random id = new Random(image.substring(0, image.indexOf('/')).hashCode());
                Random own = new Random(image.hashCode());
                float[] v = new float[16];
                double n = 0;
                for (int d = 0; d < v.length; d++) {
                    v[d] = (float) (id.nextGaussian() + noise * own.nextGaussian());
                    n += v[d] * v[d];
                }
                for (int d = 0; d < v.length; d++) {
                    v[d] /= (float) Math.sqrt(n);
                }
                return v;
            }

            @Override
            public int dimension() {
                return 16;
            }
        };
    }

    private static double score(ProtocolResult r, String metric) {
        return r.scores().stream().filter(s -> s.benchmark().equals("AgeDB30") && s.metric().equals(metric))
                .findFirst().orElseThrow().value();
    }

    /** 10 folds of {@code perFold} pairs over 12 identities, alternately same and different. */
    private static List<Pair> pairs(long seed, int perFold) {
        Random r = new Random(seed);
        List<Pair> out = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            for (int k = 0; k < perFold; k++) {
                int a = r.nextInt(12);
                int b = k % 2 == 0 ? a : (a + 1 + r.nextInt(11)) % 12;
                out.add(new Pair("p" + a + "/p" + a + "_" + r.nextInt(100) + ".jpg",
                        "p" + b + "/p" + b + "_" + r.nextInt(100) + ".jpg", a == b, s));
            }
        }
        return out;
    }

    private static Cell splitsOf(int rows, int cols, int names, int labels, boolean rowLabels) {
        Cell all = Mat5.newCell(rows, cols);
        for (int s = 0; s < rows * cols; s++) {
            all.set(s, split(names, labels, rowLabels));
        }
        return all;
    }

    private static Struct split(int names, int labels, boolean rowLabels) {
        Cell images = Mat5.newCell(2, names);
        for (int k = 0; k < 2 * names; k++) {
            images.set(k, Mat5.newStruct().set("name", Mat5.newString("p/p_" + k)));
        }
        Matrix l = rowLabels ? Mat5.newMatrix(1, labels) : Mat5.newMatrix(labels, 1);
        for (int k = 0; k < labels; k++) {
            l.setDouble(k, k % 2 == 0 ? 1 : -1);
        }
        return Mat5.newStruct().set("pairs", images).set("labels", l);
    }

    private Path save(String name, Array splits) throws IOException {
        Path file = dir.resolve(name);
        try (MatFile m = Mat5.newMatFile().addArray("splits", splits)) {
            Mat5.writeToFile(m, file.toFile());
        }
        return file;
    }

    private static List<Integer> dims(Array a) {
        return Arrays.stream(a.getDimensions()).boxed().toList();
    }

    private static void assertMessage(Path file, String expected) {
        PairListException e = assertThrows(PairListException.class, () -> AgeDbProtocolFile.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(expected), e.getMessage());
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(AgeDbProtocolFileTest.class.getResource("/facexzoo-checked/" + name).toURI());
    }

    /** Lines {@code name1 name2 label fold}, label 1 same / 0 different, as FaceX-Zoo labels them. */
    private static List<Pair> expected() throws Exception {
        List<Pair> out = new ArrayList<>();
        for (String line : Files.readAllLines(resource("agedb30_scipy_expected.txt"), StandardCharsets.UTF_8)) {
            String[] w = line.split(" ");
            out.add(new Pair(w[0], w[1], w[2].equals("1"), Integer.parseInt(w[3])));
        }
        return out;
    }
}
