package io.facex.protocol.verification;

import io.facex.api.FeatureLookup;
import io.facex.api.ProtocolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerificationTest {

    /** 5 same-person pairs at 0.9..0.5, 10 different-person pairs at 0.1..0.55: TAR@FAR read off by hand. */
    @Test
    void tarAtFarCountsStrictlyAboveTheAllowedNegative() {
        float[] s = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.1f, 0.15f, 0.2f, 0.25f, 0.3f, 0.35f, 0.4f, 0.45f, 0.52f, 0.55f};
        boolean[] same = new boolean[s.length];
        for (int i = 0; i < 5; i++) {
            same[i] = true;
        }
        Roc roc = Roc.of(s, same);
        // FAR 0.1 of 10 negatives: one may pass, so the threshold is the 2nd highest negative (0.52)
        assertEquals(4 / 5.0, roc.tarAt(0.1), 1e-12);
        assertEquals(Double.NaN, roc.tarAt(0.01)); // fewer than 100 negatives
        assertEquals(1.0, roc.tarAt(0.5), 1e-12); // 5 may pass: threshold 0.3
        assertEquals("1e-3", Roc.format(1e-3));
    }

    /** Identity-dependent features verify near 1; random ones near 0.5; a missing image is counted, not dropped. */
    @Test
    void featuresThatKnowIdentitiesVerifyAndMissingImagesAreCounted(@TempDir Path dir) throws Exception {
        Random r = new Random(1);
        int dim = 16;
        Map<String, float[]> good = new HashMap<>();
        Map<String, float[]> noise = new HashMap<>();
        float[][] identity = new float[40][dim];
        for (float[] v : identity) {
            for (int d = 0; d < dim; d++) {
                v[d] = (float) r.nextGaussian();
            }
        }
        List<Pair> pairs = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            for (int k = 0; k < 20; k++) {
                int a = r.nextInt(40);
                int b = k < 10 ? a : (a + 1 + r.nextInt(39)) % 40;
                pairs.add(new Pair("id" + a + "/x" + f + "_" + k, "id" + b + "/y" + f + "_" + k, a == b, f));
            }
        }
        for (Pair p : pairs) {
            for (String img : List.of(p.image1(), p.image2())) {
                int id = Integer.parseInt(img.substring(2, img.indexOf('/')));
                float[] v = new float[dim];
                float[] w = new float[dim];
                for (int d = 0; d < dim; d++) {
                    v[d] = identity[id][d] + 0.3f * (float) r.nextGaussian();
                    w[d] = (float) r.nextGaussian();
                }
                good.put(img, unit(v));
                noise.put(img, unit(w));
            }
        }
        good.remove(pairs.get(3).image2());
        ProtocolResult g = Verification.evaluate("Synthetic", pairs, lookup(good, dim), dir);
        ProtocolResult n = Verification.evaluate("Synthetic", pairs, lookup(noise, dim), dir);
        assertTrue(g.scores().get(0).value() > 0.95, g.toString());
        assertTrue(Math.abs(n.scores().get(0).value() - 0.5) < 0.12, n.toString());
        assertEquals(1, g.skipped().values().stream().mapToInt(Integer::intValue).sum(), g.skipped().toString());
        assertEquals("TAR@FAR=1e-1", g.scores().get(1).metric());
        assertTrue(Files.size(g.artifacts().get("Synthetic ROC curve")) > 1000);
        assertTrue(Files.readString(g.artifacts().get("Synthetic ROC points")).startsWith("far,tar,threshold"));

        // every pair, in list order, the skipped one included without a score
        assertEquals(pairs.size(), g.pairs().size());
        for (int i = 0; i < pairs.size(); i++) {
            ProtocolResult.PairScore p = g.pairs().get(i);
            assertEquals(new Pair(pairs.get(i).image1(), pairs.get(i).image2(), pairs.get(i).same(), pairs.get(i).fold()),
                    new Pair(p.image1(), p.image2(), p.same(), pairs.get(i).fold()));
            assertEquals("Synthetic", p.benchmark());
            assertEquals(i != 3, p.scored(), p.toString());
        }
        float[] a = good.get(pairs.get(0).image1());
        float[] b = good.get(pairs.get(0).image2());
        float dot = 0;
        for (int d = 0; d < dim; d++) {
            dot += a[d] * b[d];
        }
        assertEquals(dot, g.pairs().get(0).score(), 0.0);
        assertTrue(Double.isNaN(g.pairs().get(3).score()));
    }

    private static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    private static FeatureLookup lookup(Map<String, float[]> m, int dim) {
        return new FeatureLookup() {
            @Override
            public float[] feature(String image) {
                return m.get(image);
            }

            @Override
            public int dimension() {
                return dim;
            }
        };
    }
}
