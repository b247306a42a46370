package io.facex.core.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Features of several models as one, FaceX-Zoo's model ensemble (its {@code feat_concat.py} with
 * {@code is_concat}): each member's feature of an image L2-normalised, the members' features
 * concatenated, and the result L2-normalised. FaceX-Zoo concatenates two unit features and halves every
 * score; normalising the concatenation divides it by √2, so the cosine of two ensemble features is the
 * same number — the mean of the members' cosines — for any count of members, and every protocol can
 * treat it as an ordinary unit feature.
 */
public final class Ensemble {

    private Ensemble() {
    }

    /**
     * @param members one feature set per model, all of the same image list
     * @return the concatenated features; an image any member could not read is failed, with that member's reason
     */
    public static FeatureSet concat(List<FeatureSet> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one model");
        }
        List<String> images = members.get(0).images();
        int dim = 0;
        for (FeatureSet m : members) {
            if (!m.images().equals(images)) {
                throw new IllegalArgumentException("the ensemble's models were given different image lists");
            }
            dim += m.dimension();
        }
        float[] out = new float[images.size() * dim];
        double[] row = new double[dim];
        for (int i = 0; i < images.size(); i++) {
            int at = 0;
            for (FeatureSet m : members) {
                int d = m.dimension();
                float[] v = m.values();
                double norm = 0;
                for (int k = 0; k < d; k++) {
                    norm += (double) v[i * d + k] * v[i * d + k];
                }
                double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
                for (int k = 0; k < d; k++) {
                    row[at + k] = v[i * d + k] * scale;
                }
                at += d;
            }
            double norm = 0;
            for (double x : row) {
                norm += x * x;
            }
            double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
            for (int k = 0; k < dim; k++) {
                out[i * dim + k] = (float) (row[k] * scale);
            }
        }
        Map<String, String> failures = new LinkedHashMap<>();
        for (FeatureSet m : members) {
            m.failures().forEach(failures::putIfAbsent);
        }
        return new FeatureSet(images, out, dim, failures);
    }
}
