package io.facex.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * Named tensors in file order (PyTorch's {@code state_dict}), plus the non-tensor entries a checkpoint
 * carried next to them (FaceX-Zoo stores {@code epoch} and {@code batch_id}). Extras are plain Java
 * values: Long/BigInteger, Double, String, Boolean, null, List, Map, or Tensor.
 */
public final class StateDict {

    private static final String MODULE = "module.";

    private final String source;
    private final Map<String, Tensor> tensors;
    private final Map<String, Object> extras;

    /** @param source where the tensors came from (a file name), used in error messages */
    public StateDict(String source, Map<String, Tensor> tensors, Map<String, Object> extras) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    public StateDict(String source, Map<String, Tensor> tensors) {
        this(source, tensors, Map.of());
    }

    public String source() {
        return source;
    }

    public int size() {
        return tensors.size();
    }

    public Set<String> keys() {
        return tensors.keySet();
    }

    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    /** The tensor under {@code key}, or null. */
    public Tensor get(String key) {
        return tensors.get(key);
    }

    public Tensor require(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new NoSuchElementException(source + " has no tensor named '" + key + "'");
        }
        return t;
    }

    /** Unmodifiable, in file order. */
    public Map<String, Tensor> asMap() {
        return tensors;
    }

    public Map<String, Object> extras() {
        return extras;
    }

    public Optional<Object> extra(String name) {
        return Optional.ofNullable(extras.get(name));
    }

    /**
     * The tensors whose key starts with {@code prefix} (a trailing dot is implied), prefix stripped.
     * A DataParallel {@code module.} is ignored both before and after the prefix, so
     * {@code select("backbone")} maps {@code module.backbone.conv1.weight} and
     * {@code backbone.module.conv1.weight} alike to {@code conv1.weight}. Extras are kept.
     */
    public StateDict select(String prefix) {
        String p = prefix.isEmpty() || prefix.endsWith(".") ? prefix : prefix + ".";
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String key = stripModule(e.getKey());
            if (key.startsWith(p)) {
                String rest = stripModule(key.substring(p.length()));
                if (out.put(rest, e.getValue()) != null) {
                    throw new IllegalStateException(source + ": two tensors map to '" + rest + "' under prefix '"
                            + p + "' (one with and one without 'module.'?)");
                }
            }
        }
        String label = p.isEmpty() ? source : source + " [" + p.substring(0, p.length() - 1) + "]";
        return new StateDict(label, out, extras);
    }

    /** True if any key (ignoring a DataParallel {@code module.}) starts with {@code prefix.}. */
    public boolean hasPrefix(String prefix) {
        String p = prefix.endsWith(".") ? prefix : prefix + ".";
        return tensors.keySet().stream().anyMatch(k -> stripModule(k).startsWith(p));
    }

    /**
     * The backbone's weights of a FaceX-Zoo checkpoint: {@code backbone.*} (training checkpoints), else
     * {@code feat_net.*}, else every key with a DataParallel {@code module.} removed (a bare backbone
     * state dict).
     */
    public StateDict backbone() {
        if (hasPrefix("backbone")) {
            return select("backbone");
        }
        if (hasPrefix("feat_net")) {
            return select("feat_net");
        }
        return select("");
    }

    /** The head's weights of a FaceX-Zoo training checkpoint ({@code head.*}, prefix stripped). */
    public StateDict head() {
        return select("head");
    }

    private static String stripModule(String key) {
        return key.startsWith(MODULE) ? key.substring(MODULE.length()) : key;
    }

    @Override
    public String toString() {
        return "StateDict[" + source + ", " + tensors.size() + " tensors, extras " + extras.keySet() + "]";
    }
}
