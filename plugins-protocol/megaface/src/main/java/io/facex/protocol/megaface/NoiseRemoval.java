package io.facex.protocol.megaface;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The devkit's noise lists applied as FaceX-Zoo's {@code remove_noises.py} does, on features in memory
 * instead of .npy files on disk. Feature arrays are never written to: a replaced feature is a new array.
 *
 * <p>Where FaceX-Zoo is odd, we keep its numbers (spec §9):
 * <ul>
 * <li>A FaceScrub image is matched by its file name alone, with the extension forced to {@code .jpg}
 * (the .npy name + ".jpg"), whatever folder it is in; the identity whose centre replaces it is its
 * folder, not the list's {@code id} (the devkit's folders are its ids).
 * <li>Noisy MegaFace distractors are not removed but become zero vectors: they stay in the list and
 * score exactly 0 against every probe, so they still count towards "N distractors" and can even enter a
 * probe's top-K when its 10 best scores are negative.
 * <li>FaceX-Zoo divides the shared centre array in place for each further noise image of the identity,
 * which renormalises an already unit vector (a change of float rounding only); we normalise once.
 * <li>FaceX-Zoo stops with an assertion when an identity has noise images but no clean feature; we leave
 * those images without a feature, and the protocol counts them as skipped.
 * </ul>
 */
final class NoiseRemoval {

    private NoiseRemoval() {
    }

    /** The name FaceX-Zoo compares with the FaceScrub noise list: file name, extension replaced by .jpg. */
    static String facescrubKey(String path) {
        String p = DevkitFiles.normalize(path);
        return jpg(p.substring(p.lastIndexOf('/') + 1));
    }

    /** The path FaceX-Zoo compares with the MegaFace noise list: {@code id1/id2/name.jpg}, the last three parts. */
    static String megafaceKey(String path) {
        String[] parts = DevkitFiles.normalize(path).split("/");
        int from = Math.max(0, parts.length - 3);
        StringBuilder s = new StringBuilder();
        for (int i = from; i < parts.length; i++) {
            s.append(i > from ? "/" : "").append(i == parts.length - 1 ? jpg(parts[i]) : parts[i]);
        }
        return s.toString();
    }

    /** The identity a FaceScrub image's centre is taken over: its folder. */
    static String facescrubFolder(String path) {
        String[] parts = DevkitFiles.normalize(path).split("/");
        return parts.length >= 2 ? parts[parts.length - 2] : "";
    }

    private static String jpg(String name) {
        int dot = name.lastIndexOf('.');
        return (dot < 0 ? name : name.substring(0, dot)) + ".jpg";
    }

    /**
     * Replaces the features of listed FaceScrub images by their folder's centre, the L2-normalised
     * float sum of the folder's clean features (list order).
     *
     * @param features per path, null where there is none; replaced entries are set in place
     * @return how many features were replaced
     */
    static int replaceFacescrubNoises(List<String> paths, float[][] features, Set<String> noises) {
        if (noises.isEmpty()) {
            return 0;
        }
        Map<String, float[]> sums = new LinkedHashMap<>();
        boolean[] noisy = new boolean[paths.size()];
        for (int i = 0; i < paths.size(); i++) {
            noisy[i] = noises.contains(facescrubKey(paths.get(i)));
            float[] f = features[i];
            if (!noisy[i] && f != null) {
                float[] sum = sums.computeIfAbsent(facescrubFolder(paths.get(i)), k -> new float[f.length]);
                for (int c = 0; c < f.length; c++) {
                    sum[c] += f[c];
                }
            }
        }
        Map<String, float[]> centres = new LinkedHashMap<>();
        sums.forEach((id, sum) -> {
            // numpy's norm of a float32 vector: sqrt of the float32 dot product
            float norm = (float) Math.sqrt(ScoreKernel.dot(sum, sum));
            float[] c = new float[sum.length];
            for (int k = 0; k < c.length; k++) {
                c[k] = sum[k] / norm;
            }
            centres.put(id, c);
        });
        int replaced = 0;
        for (int i = 0; i < paths.size(); i++) {
            if (noisy[i] && features[i] != null) {
                float[] c = centres.get(facescrubFolder(paths.get(i)));
                features[i] = c;
                if (c != null) {
                    replaced++;
                }
            }
        }
        return replaced;
    }

    /**
     * Zeroes listed distractors' features.
     *
     * @param features per path, null where there is none; zeroed entries are set in place
     * @return how many were zeroed
     */
    static int zeroMegafaceNoises(List<String> paths, float[][] features, Set<String> noises) {
        int zeroed = 0;
        for (int i = 0; i < paths.size(); i++) {
            if (features[i] != null && noises.contains(megafaceKey(paths.get(i)))) {
                features[i] = new float[features[i].length];
                zeroed++;
            }
        }
        return zeroed;
    }
}
