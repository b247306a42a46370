package io.facex.weights;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns an unpickled checkpoint object into a {@link StateDict}, following FaceX-Zoo's layouts. */
final class Checkpoints {

    private static final String WRAPPED = "state_dict";
    /** Extra naming the class of a pickled whole module, e.g. {@code models.network_def.retinaface_def.RetinaFace}. */
    static final String CLASS = "__class__";

    private Checkpoints() {
    }

    /**
     * Accepts a bare state dict ({@code {name: tensor}}), FaceX-Zoo's training checkpoint
     * ({@code {'state_dict': {...}, 'epoch': e, 'batch_id': b}}; whatever sits beside the tensors is
     * kept as extras) or a whole pickled {@code nn.Module} (its {@code state_dict()} names; the class
     * name is kept as extra {@code "__class__"}).
     */
    static StateDict toStateDict(String fileName, Object root) throws WeightsException {
        if (root instanceof PyObject module) {
            Map<String, Tensor> tensors = ModuleStateDict.of(fileName, module);
            return new StateDict(fileName, tensors, Map.of(CLASS, module.className()));
        }
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
                    extras.put(String.valueOf(e.getKey()), plain(e.getValue(), new IdentityHashMap<>()));
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
            Tensor t = DeferredTensor.tensorOf(e.getValue());
            if (t != null) {
                tensors.put(key, t);
            } else {
                extras.put(extraPrefix + key, plain(e.getValue(), new IdentityHashMap<>()));
            }
        }
    }

    /**
     * Extras as the plain Java values {@link StateDict} promises: deferred tensors resolved, inert objects
     * replaced by their class name. {@code seen} keeps shared and self-containing containers finite.
     */
    private static Object plain(Object o, IdentityHashMap<Object, Object> seen) {
        if (o instanceof DeferredTensor d) {
            return d.get();
        }
        if (o instanceof PyObject p) {
            return p.toString();
        }
        if (seen.containsKey(o)) {
            return seen.get(o);
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            seen.put(o, copy);
            m.forEach((k, v) -> copy.put(k, plain(v, seen)));
            return copy;
        }
        if (o instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            seen.put(o, copy);
            l.forEach(v -> copy.add(plain(v, seen)));
            return copy;
        }
        return o;
    }

    private static String kind(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Tensor || o instanceof DeferredTensor) {
            return "a single tensor";
        }
        if (o instanceof PyObject p) {
            return "an instance of " + p.className();
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
