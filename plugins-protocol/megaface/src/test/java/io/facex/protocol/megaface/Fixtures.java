package io.facex.protocol.megaface;

import io.facex.api.FeatureLookup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test helpers: features by image path, and the protocol from its definition over full score matrices. */
final class Fixtures {

    private Fixtures() {
    }

    static final class MapLookup implements FeatureLookup {
        final Map<String, float[]> features = new HashMap<>();
        final int dim;

        MapLookup(int dim) {
            this.dim = dim;
        }

        MapLookup put(String image, float... f) {
            features.put(image, f);
            return this;
        }

        @Override
        public float[] feature(String image) {
            float[] f = features.get(image);
            return f == null ? null : f.clone();
        }

        @Override
        public int dimension() {
            return dim;
        }
    }

    /** The configuration that evaluates a synthetic devkit ({@code mask}: for MegaFace-Mask). */
    static MegaFaceConfig config(io.facex.tools.synthetic.SyntheticDevkit.Result kit, boolean mask) {
        MegaFaceConfig d = MegaFaceConfig.defaults(mask ? 1 : 0);
        return new MegaFaceConfig(kit.facescrubList().toString(), kit.megafaceList().toString(),
                kit.facescrubNoises().toString(), kit.megafaceNoises().toString(), kit.croppedFaceFolder().toString(),
                kit.imageList().toString(), mask ? 1 : 0, kit.croppedFaceFolder().toString(),
                kit.maskedImageList().toString(), d.facescrubCropDir(), d.megafaceCropDir(), d.maskedFacescrubCropDir(),
                d.maxRank(), d.distractorCounts(), d.isConcat(), d.engine(), d.threads(), d.blockSize());
    }

    static MegaFaceConfig with(MegaFaceConfig c, List<Integer> counts, int maxRank, int isConcat, String engine,
            int threads, int block) {
        return new MegaFaceConfig(c.facescrubList(), c.megacefaceList(), c.facescrubNoisesFile(), c.megafaceNoisesFile(),
                c.croppedFaceFolder(), c.imageListFile(), c.megafaceMask(), c.maskedCroppedFaceFolder(),
                c.maskedImageListFile(), c.facescrubCropDir(), c.megafaceCropDir(), c.maskedFacescrubCropDir(), maxRank,
                counts, isConcat, engine, threads, block);
    }

    static MegaFaceConfig withoutNoiseLists(MegaFaceConfig c) {
        return new MegaFaceConfig(c.facescrubList(), c.megacefaceList(), "", "", c.croppedFaceFolder(), c.imageListFile(),
                c.megafaceMask(), c.maskedCroppedFaceFolder(), c.maskedImageListFile(), c.facescrubCropDir(),
                c.megafaceCropDir(), c.maskedFacescrubCropDir(), c.maxRank(), c.distractorCounts(), c.isConcat(),
                c.engine(), c.threads(), c.blockSize());
    }

    /**
     * Rank-N accuracies straight from the definition: the whole score matrix of each probe against the
     * first {@code n} distractors, sorted; every ordered same-identity pair (i gallery, j probe), i ≠ j,
     * with both features present.
     */
    static double[] reference(List<String> ids, float[][] gallery, float[][] probe, float[][] distractors, int n, int k) {
        long[] hits = new long[k];
        long pairs = 0;
        for (int j = 0; j < probe.length; j++) {
            if (probe[j] == null) {
                continue;
            }
            float[] row = new float[n];
            int m = 0;
            for (int d = 0; d < n; d++) {
                if (distractors[d] != null) {
                    row[m++] = ScoreKernel.dot(probe[j], distractors[d]);
                }
            }
            java.util.Arrays.sort(row, 0, m);
            for (int i = 0; i < gallery.length; i++) {
                if (i == j || gallery[i] == null || !ids.get(i).equals(ids.get(j))) {
                    continue;
                }
                float s = ScoreKernel.dot(gallery[i], probe[j]);
                for (int r = 1; r <= k; r++) {
                    float threshold = r <= m ? row[m - r] : Float.NEGATIVE_INFINITY;
                    if (s >= threshold) {
                        hits[r - 1]++;
                    }
                }
                pairs++;
            }
        }
        double[] acc = new double[k];
        for (int r = 0; r < k; r++) {
            acc[r] = (double) hits[r] / pairs;
        }
        return acc;
    }
}
