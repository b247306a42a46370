package io.facex.weights;

import java.util.LinkedHashMap;
import java.util.Map;

/** Turns an unpickled checkpoint object into a {@link StateDict}, following FaceX-Zoo's layouts. */
final class Checkpoints {

    private static final String WRAPPED = "state_dict";

    private Checkpoints() {
    }

    /**
     * Accepts a bare state dict ({@code {name: tensor}}) or FaceX-Zoo's training checkpoint
     * ({@code {'state_dict': {...}, 'epoch': e, 'batch_id': b}}); whatever sits beside the tensors is
     * kept as extras.
     */
    static StateDict toStateDict(String fileName, Object root) throws WeightsException {
        if (!(root instanceof Map<?, ?> top)) {
            throw new WeightsException("cannot read " + fileName + ": it holds " + kind(root)
                    + ", not a state dict (a dict of tensors)");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Object> extras = new LinkedHashMap<>();
        Object wrapped = top.get(WRAPPED);
        if (wrapped instanceof Map<?, ?> inner) {
            split(fileName, inner, tensors, extras, WRAPPED + ".");
            for (Map.Entry<?, ?> e : top.entrySet()) {
                if (!WRAPPED.equals(e.getKey())) {
                    extras.put(String.valueOf(e.getKey()), e.getValue());
                }
            }
        } else {
            split(fileName, top, tensors, extras, "");
        }
        if (tensors.isEmpty() && !top.isEmpty()) {
            throw new WeightsException("cannot read " + fileName + ": it holds a dict without tensors (keys "
                    + top.keySet() + "); expected a state dict or {'state_dict': ...}");
        }
        return new StateDict(fileName, tensors, extras);
    }

    private static void split(String fileName, Map<?, ?> dict, Map<String, Tensor> tensors,
            Map<String, Object> extras, String extraPrefix) throws WeightsException {
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new WeightsException("cannot read " + fileName + ": a state dict key is " + kind(e.getKey())
                        + ", not a string");
            }
            if (e.getValue() instanceof Tensor t) {
                tensors.put(key, t);
            } else {
                extras.put(extraPrefix + key, e.getValue());
            }
        }
    }

    private static String kind(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Tensor) {
            return "a single tensor";
        }
        if (o instanceof PyTuple) {
            return "a tuple";
        }
        if (o instanceof java.util.List<?>) {
            return "a list";
        }
        return "a " + o.getClass().getSimpleName();
    }
}
