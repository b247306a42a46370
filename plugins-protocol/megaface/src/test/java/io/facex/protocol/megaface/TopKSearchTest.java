package io.facex.protocol.megaface;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TopKSearchTest {

    static final int DIM = 22; // not a multiple of the kernel's 4 components
    static final int K = 5;

    /** Brute force: the full probes × distractors matrix, each prefix's row sorted. */
    static float[][] bruteForce(float[][] probes, float[][] distractors, int[] prefixes, int k) {
        float[][] scores = new float[probes.length][distractors.length];
        for (int p = 0; p < probes.length; p++) {
            for (int j = 0; j < distractors.length; j++) {
                scores[p][j] = distractors[j] == null ? Float.NaN : ScoreKernel.dot(probes[p], distractors[j]);
            }
        }
        float[][] out = new float[prefixes.length][probes.length * k];
        for (int s = 0; s < prefixes.length; s++) {
            for (int p = 0; p < probes.length; p++) {
                float[] row = new float[prefixes[s]];
                int n = 0;
                for (int j = 0; j < prefixes[s]; j++) {
                    if (!Float.isNaN(scores[p][j])) {
                        row[n++] = scores[p][j];
                    }
                }
                Arrays.sort(row, 0, n);
                for (int r = 0; r < k; r++) {
                    out[s][p * k + r] = r < n ? row[n - 1 - r] : Float.NEGATIVE_INFINITY;
                }
            }
        }
        return out;
    }

    /** Random unit vectors, with a few exact duplicates, zero vectors (MegaFace noise) and holes. */
    static float[][] distractors(int n, long seed) {
        float[][] d = SearchBenchmark.randomUnit(n, DIM, seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n / 20; i++) {
            d[r.nextInt(n)] = d[r.nextInt(n)];
            d[r.nextInt(n)] = new float[DIM];
            d[r.nextInt(n)] = null;
        }
        return d;
    }

    @Test
    void javaSearchEqualsBruteForceBitForBitForEveryBlockSizeAndThreadCount() {
        float[][] probes = SearchBenchmark.randomUnit(13, DIM, 7); // odd: the kernel's one-probe tail
        float[][] d = distractors(1000, 8);
        // a probe that equals a distractor: its top score ties with itself
        probes[3] = d[17] != null ? d[17].clone() : probes[3];
        int[] prefixes = {3, 10, 100, 777, 1000};
        float[][] expected = bruteForce(probes, d, prefixes, K);
        for (int block : new int[] {1, 7, 64, 512, 1000}) {
            for (int threads : new int[] {1, 2, 3}) {
                float[][] got = TopKSearch.search(probes, DistractorBlocks.plan(DIM, block, prefixes), i -> d[i], K,
                        threads, TopKSearch.Engine.JAVA);
                assertEquals(prefixes.length, got.length);
                for (int s = 0; s < prefixes.length; s++) {
                    assertArrayEquals(expected[s], got[s], "prefix " + prefixes[s] + ", block " + block + ", " + threads
                            + " threads");
                }
            }
        }
        // fewer distractors than K in the first prefix: the missing ranks are −∞ (every pair a hit)
        assertEquals(Float.NEGATIVE_INFINITY, expected[0][K - 1]);
    }

    @Test
    void djlSearchAgreesWithBruteForceToRounding() {
        float[][] probes = SearchBenchmark.randomUnit(9, DIM, 3);
        float[][] d = distractors(600, 4);
        int[] prefixes = {10, 100, 600};
        float[][] expected = bruteForce(probes, d, prefixes, K);
        for (int block : new int[] {16, 250}) {
            for (int threads : new int[] {1, 2}) {
                float[][] got = TopKSearch.search(probes, DistractorBlocks.plan(DIM, block, prefixes), i -> d[i], K,
                        threads, TopKSearch.Engine.DJL);
                for (int s = 0; s < prefixes.length; s++) {
                    // libtorch sums in its own order: equal to a few ulps, same ranking
                    assertArrayEquals(expected[s], got[s], 1e-6f, "prefix " + prefixes[s] + ", block " + block);
                }
            }
        }
    }

    @Test
    void topKKeepsTheLargestValuesDescending() {
        float[] top = TopKSearch.empty(1, 3);
        float[] s = {0.1f, 0.5f, -1f, 0.5f, 0.3f, 0.9f, Float.NaN};
        TopKSearch.offer(top, 0, 3, s, 0, s.length);
        assertArrayEquals(new float[] {0.9f, 0.5f, 0.5f}, top);
        TopKSearch.offer(top, 0, 3, new float[] {0.5f, 0.6f}, 0, 2);
        assertArrayEquals(new float[] {0.9f, 0.6f, 0.5f}, top);
    }

    @Test
    void blocksNeverStraddleAPrefix() {
        DistractorBlocks p = DistractorBlocks.plan(4, 8, new int[] {10, 10, 30});
        assertEquals(3, p.segments);
        int covered = 0;
        for (int b = 0; b < p.blocks(); b++) {
            assertEquals(covered, p.start[b]);
            covered += p.length[b];
            int end = p.start[b] + p.length[b];
            assertTrue(p.segment[b] == 0 ? end <= 10 : p.start[b] >= 10, "block " + b);
        }
        assertEquals(30, covered);
    }
}
