package io.facex.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Copies a {@link StateDict} into an initialized DJL block. The caller supplies how a DJL parameter
 * path ({@code 01conv1_02bn_gamma}) becomes a PyTorch key ({@code conv1.bn.weight}); this class only
 * matches strings, checks shapes, and copies values.
 */
public final class BlockWeights {

    /** DJL's BatchNorm keeps no step counter, so this buffer never has a place to go. */
    private static final String BATCHES_TRACKED = "num_batches_tracked";

    private BlockWeights() {
    }

    /**
     * Strict: copies everything, or — if any key is missing, unexpected or of the wrong shape —
     * nothing, throwing one exception that lists them all.
     *
     * @param djlToTorch maps a parameter path to its state-dict key; null leaves that parameter alone
     */
    public static LoadReport apply(Block block, StateDict weights, Function<String, String> djlToTorch)
            throws WeightsMismatchException {
        return load(block, weights, djlToTorch, true);
    }

    /** Lenient: copies every tensor whose key and shape match and reports the rest. */
    public static LoadReport applyMatching(Block block, StateDict weights, Function<String, String> djlToTorch) {
        try {
            return load(block, weights, djlToTorch, false);
        } catch (WeightsMismatchException e) {
            throw new AssertionError("lenient loading never throws a mismatch", e);
        }
    }

    private static LoadReport load(Block block, StateDict weights, Function<String, String> djlToTorch,
            boolean strict) throws WeightsMismatchException {
        Map<String, Parameter> byKey = new LinkedHashMap<>();
        Map<String, String> pathOf = new LinkedHashMap<>();
        List<String> notMapped = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            String key = djlToTorch.apply(p.getKey());
            if (key == null) {
                notMapped.add(p.getKey());
                continue;
            }
            String clash = pathOf.put(key, p.getKey());
            if (clash != null) {
                throw new IllegalArgumentException("the key mapper maps two model parameters to '" + key + "': "
                        + clash + " and " + p.getKey());
            }
            byKey.put(key, p.getValue());
            if (!p.getValue().isInitialized()) {
                throw new IllegalStateException("model parameter " + p.getKey() + " (" + key
                        + ") is not initialized: initialize the block before loading " + weights.source());
            }
        }

        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        Map<String, Tensor> toCopy = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : byKey.entrySet()) {
            String key = e.getKey();
            Tensor t = weights.get(key);
            if (t == null) {
                missing.add(key);
                continue;
            }
            long[] model = e.getValue().getArray().getShape().getShape();
            if (!Arrays.equals(model, t.shape())) {
                mismatched.add(key + ": checkpoint " + t.shapeString() + " vs model " + Tensor.shapeString(model));
            } else {
                toCopy.put(key, t);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : weights.keys()) {
            if (!byKey.containsKey(key) && !isBatchesTracked(key)) {
                unexpected.add(key);
            }
        }
        LoadReport report = new LoadReport(weights.source(), new ArrayList<>(toCopy.keySet()), missing, unexpected,
                mismatched, notMapped);
        if (strict && !report.isExact()) {
            throw new WeightsMismatchException(new LoadReport(weights.source(), List.of(), missing, unexpected,
                    mismatched, notMapped));
        }
        for (Map.Entry<String, Tensor> e : toCopy.entrySet()) {
            copy(e.getValue(), byKey.get(e.getKey()).getArray(), e.getKey());
        }
        return report;
    }

    private static void copy(Tensor t, NDArray target, String key) {
        DataType type = target.getDataType();
        if (type == DataType.FLOAT32) {
            target.set(t.toFloatArray());
        } else if (type == DataType.FLOAT64) {
            target.set(t.toDoubleArray());
        } else {
            throw new IllegalArgumentException("model parameter for " + key + " is " + type
                    + "; only float32 and float64 parameters can be loaded");
        }
    }

    private static boolean isBatchesTracked(String key) {
        return key.equals(BATCHES_TRACKED) || key.endsWith("." + BATCHES_TRACKED);
    }
}
