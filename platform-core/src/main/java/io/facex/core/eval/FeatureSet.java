package io.facex.core.eval;

import io.facex.api.FeatureLookup;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * L2-normalised features of an ordered image list, one row each, and the images that could not be
 * read: lookups return null for those, so protocols count the pairs they spoil.
 */
public final class FeatureSet implements FeatureLookup {

    private final List<String> images;
    private final float[] values;
    private final int dimension;
    private final Map<String, String> failures;
    private final Map<String, Integer> rows;

    /**
     * @param images   the list, in extraction order
     * @param values   rows of {@code dimension} floats (anything for failed images)
     * @param failures failed image → reason
     */
    public FeatureSet(List<String> images, float[] values, int dimension, Map<String, String> failures) {
        this.images = List.copyOf(images);
        this.values = values;
        this.dimension = dimension;
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        if (values.length != (long) images.size() * dimension) {
            throw new IllegalArgumentException(images.size() + " images of " + dimension + " values need "
                    + (long) images.size() * dimension + " floats, got " + values.length);
        }
        this.rows = new HashMap<>(images.size() * 2);
        for (int i = 0; i < images.size(); i++) {
            rows.putIfAbsent(images.get(i), i);
        }
    }

    @Override
    public float[] feature(String image) {
        Integer row = rows.get(image);
        if (row == null || failures.containsKey(image)) {
            return null;
        }
        float[] f = new float[dimension];
        System.arraycopy(values, row * dimension, f, 0, dimension);
        return f;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    public List<String> images() {
        return images;
    }

    /** Rows of {@link #dimension} floats in list order; not a copy. */
    public float[] values() {
        return values;
    }

    /** Images that could not be read or decoded, with the reason. */
    public Map<String, String> failures() {
        return failures;
    }
}
