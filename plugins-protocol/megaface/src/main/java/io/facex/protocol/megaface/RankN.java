package io.facex.protocol.megaface;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MegaFace Challenge 1 identification (FaceX-Zoo's {@code get_rankN_accuracy}): for each identity with
 * M images and each ordered pair (gallery i, probe j), i ≠ j, the pair is a hit at rank N when
 * s(i, j) ≥ r_j(N), the N-th largest score of probe j against the distractors; accuracy at rank N =
 * hits / pairs (ΣM(M−1) when every image has its features).
 */
final class RankN {

    /** Hits per rank (index N−1) and the number of pairs they are out of. */
    record Counts(long[] hits, long pairs) {
        double accuracy(int rank) {
            return pairs == 0 ? Double.NaN : (double) hits[rank - 1] / pairs;
        }
    }

    private RankN() {
    }

    /** Indices of each identity's images, identities in order of first appearance. */
    static List<int[]> groups(List<String> ids) {
        Map<String, List<Integer>> by = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            by.computeIfAbsent(ids.get(i), k -> new ArrayList<>()).add(i);
        }
        List<int[]> out = new ArrayList<>();
        by.values().forEach(l -> out.add(l.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    /**
     * @param gallery   per FaceScrub image, the gallery feature (null: the image cannot be a gallery)
     * @param probe     per FaceScrub image, the probe feature (the same arrays as gallery for MegaFace, the
     *                  masked ones for MegaFace-Mask; null: the image cannot be a probe)
     * @param probeRow  per FaceScrub image, its row in {@code top}, or −1 when it has no probe feature
     * @param top       per probe row, its K largest distractor scores, descending ({@link TopKSearch})
     * @param halve     FaceX-Zoo's is_concat: every score times ½ (exact in binary floating point, and
     *                  applied to both sides of every comparison, so it never changes a result)
     */
    static Counts count(List<int[]> groups, float[][] gallery, float[][] probe, int[] probeRow, float[] top, int k,
            boolean halve) {
        long[] hits = new long[k];
        long pairs = 0;
        float scale = halve ? 0.5f : 1f;
        for (int[] g : groups) {
            for (int i : g) {
                if (gallery[i] == null) {
                    continue;
                }
                for (int j : g) {
                    if (j == i || probe[j] == null) {
                        continue;
                    }
                    float s = ScoreKernel.dot(gallery[i], probe[j]) * scale;
                    int base = probeRow[j] * k;
                    // r_j(N) falls as N grows: the pair is a hit from the first N whose r_j(N) ≤ s on
                    int n = 0;
                    while (n < k && !(s >= top[base + n] * scale)) {
                        n++;
                    }
                    for (int r = n; r < k; r++) {
                        hits[r]++;
                    }
                    pairs++;
                }
            }
        }
        return new Counts(hits, pairs);
    }
}
