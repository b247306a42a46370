package io.facex.core.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FaceX-Zoo's feature concatenation, and how {@code -m} names ensembles. */
class EnsembleTest {

    private static final List<String> IMAGES = List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg");

    /** Rows of random values, deliberately not unit length: the ensemble normalises each member itself. */
    private static FeatureSet random(int dim, long seed, Map<String, String> failures) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[IMAGES.size() * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 3;
        }
        return new FeatureSet(IMAGES, v, dim, failures);
    }

    private static double[] unit(float[] x) {
        double n = 0;
        for (float v : x) {
            n += (double) v * v;
        }
        double[] u = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            u[i] = x[i] / Math.sqrt(n);
        }
        return u;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void eachMemberIsNormalisedThenConcatenatedThenNormalised() {
        FeatureSet full = random(5, 1, Map.of());
        FeatureSet eye = random(3, 2, Map.of());
        FeatureSet both = Ensemble.concat(List.of(full, eye));
        assertEquals(8, both.dimension());
        for (String image : IMAGES) {
            double[] f = unit(full.feature(image));
            double[] e = unit(eye.feature(image));
            float[] expected = new float[8];
            for (int k = 0; k < 5; k++) {
                expected[k] = (float) (f[k] / Math.sqrt(2));
            }
            for (int k = 0; k < 3; k++) {
                expected[5 + k] = (float) (e[k] / Math.sqrt(2));
            }
            assertArrayEquals(expected, both.feature(image), 1e-6f, image);
        }
    }

    @Test
    void aPairScoresTheMeanOfTheMembersCosinesAsFaceXZooHalvesTheConcatenatedScore() {
        FeatureSet a = random(6, 3, Map.of());
        FeatureSet b = random(4, 4, Map.of());
        FeatureSet c = random(7, 5, Map.of());
        FeatureSet two = Ensemble.concat(List.of(a, b));
        FeatureSet three = Ensemble.concat(List.of(a, b, c));
        for (String x : IMAGES) {
            for (String y : IMAGES) {
                double ca = dot(Ensemble.concat(List.of(a)).feature(x), Ensemble.concat(List.of(a)).feature(y));
                double cb = dot(Ensemble.concat(List.of(b)).feature(x), Ensemble.concat(List.of(b)).feature(y));
                double cc = dot(Ensemble.concat(List.of(c)).feature(x), Ensemble.concat(List.of(c)).feature(y));
                assertEquals((ca + cb) / 2, dot(two.feature(x), two.feature(y)), 1e-6);
                assertEquals((ca + cb + cc) / 3, dot(three.feature(x), three.feature(y)), 1e-6);
            }
        }
    }

    @Test
    void anEnsembleOfAModelWithItselfScoresEveryPairAsTheModelDoes() {
        FeatureSet a = Ensemble.concat(List.of(random(16, 7, Map.of())));
        FeatureSet twice = Ensemble.concat(List.of(a, a));
        for (String x : IMAGES) {
            for (String y : IMAGES) {
                assertEquals(dot(a.feature(x), a.feature(y)), dot(twice.feature(x), twice.feature(y)), 1e-6);
            }
        }
    }

    @Test
    void anImageAnyMemberCouldNotReadIsFailed() {
        FeatureSet a = random(2, 1, Map.of("b.jpg", "b.jpg: cannot decode"));
        FeatureSet b = random(2, 2, Map.of("d.jpg", "d.jpg: no such image"));
        FeatureSet both = Ensemble.concat(List.of(a, b));
        assertEquals(Map.of("b.jpg", "b.jpg: cannot decode", "d.jpg", "d.jpg: no such image"), both.failures());
        assertNull(both.feature("b.jpg"));
        assertNull(both.feature("d.jpg"));
        FeatureSet other = new FeatureSet(List.of("a.jpg"), new float[2], 2, Map.of());
        assertThrows(IllegalArgumentException.class, () -> Ensemble.concat(List.of(a, other)));
    }

    @Test
    void modelOptionNamesFilesFoldersEnsemblesAndListsOfThem(@TempDir Path dir) throws Exception {
        Path full = Files.createDirectories(dir.resolve("full"));
        Path eye = Files.createDirectories(dir.resolve("eye"));
        for (Path run : List.of(full, eye)) {
            Files.writeString(run.resolve("Epoch_1.safetensors"), "");
            Files.writeString(run.resolve("Epoch_2.safetensors"), "");
        }
        Path f2 = full.resolve("Epoch_2.safetensors");
        Path e2 = eye.resolve("Epoch_2.safetensors");
        assertEquals(List.of(List.of(f2, e2)), EvalCommand.models(Path.of(f2 + "+" + e2)));
        List<List<Path>> many = EvalCommand.models(Path.of(full + "," + e2 + "," + f2 + "+" + e2));
        assertEquals(List.of(List.of(full.resolve("Epoch_1.safetensors")), List.of(f2), List.of(e2), List.of(f2, e2)), many);
        assertEquals("full/Epoch_2", EvalCommand.memberName(f2, List.of(f2, e2)));
        assertEquals("Epoch_2", EvalCommand.memberName(f2, List.of(f2, f2)), "a model with itself needs no folder");
        assertEquals("Epoch_1", EvalCommand.memberName(full.resolve("Epoch_1.safetensors"),
                List.of(full.resolve("Epoch_1.safetensors"), e2)));
        Exception e = assertThrows(java.io.IOException.class, () -> EvalCommand.models(Path.of(full + "+" + e2)));
        assertTrue(e.getMessage().contains("each model of an ensemble a+b is one weights file"), e.getMessage());
        assertThrows(java.io.IOException.class, () -> EvalCommand.models(dir.resolve("missing.safetensors")));
    }
}
