package io.facex.weights;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code model.state_dict()} of a pickled whole {@code nn.Module}, computed from its inert attributes the
 * way torch does: a module's own {@code _parameters}, then its persistent {@code _buffers} (None entries
 * skipped, names in {@code _non_persistent_buffers_set} left out), then each child of {@code _modules}
 * under {@code <child name>.}, in insertion order.
 */
final class ModuleStateDict {

    /** Real nets nest a few dozen levels; a hostile pickle could nest until the Java stack overflows. */
    private static final int MAX_DEPTH = 256;

    private final String fileName;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Set<PyObject> onPath = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Deque<String> path = new ArrayDeque<>();

    private ModuleStateDict(String fileName) {
        this.fileName = fileName;
    }

    /** True if {@code o} has the attributes every nn.Module pickles. */
    static boolean isModule(Object o) {
        return o instanceof PyObject p && p.attribute("_parameters") instanceof Map<?, ?>
                && p.attribute("_modules") instanceof Map<?, ?>;
    }

    static Map<String, Tensor> of(String fileName, PyObject root) throws WeightsException {
        ModuleStateDict walk = new ModuleStateDict(fileName);
        walk.visit(root, "");
        return walk.tensors;
    }

    private void visit(PyObject module, String prefix) throws WeightsException {
        if (!isModule(module)) {
            throw fail("holds an instance of " + module.className() + " at '" + where(prefix)
                    + "' that is not a torch.nn.Module (no _parameters and _modules dicts)");
        }
        if (path.size() > MAX_DEPTH || !onPath.add(module)) {
            throw fail("has modules nested deeper than " + MAX_DEPTH + " levels or containing themselves at '"
                    + where(prefix) + "' (corrupt?)");
        }
        path.push(prefix);
        collect(module, "_parameters", prefix, Set.of());
        Object skip = module.attribute("_non_persistent_buffers_set");
        collect(module, "_buffers", prefix, skip instanceof Collection<?> c ? c : Set.of());
        for (Map.Entry<?, ?> child : ((Map<?, ?>) module.attribute("_modules")).entrySet()) {
            if (child.getValue() == null) {
                continue; // a child set to None, as state_dict() skips it
            }
            if (!(child.getValue() instanceof PyObject sub)) {
                throw fail("has a child module '" + prefix + child.getKey() + "' that is not a module");
            }
            visit(sub, prefix + child.getKey() + ".");
        }
        path.pop();
        onPath.remove(module);
    }

    private void collect(PyObject module, String attribute, String prefix, Collection<?> skip)
            throws WeightsException {
        Object dict = module.attribute(attribute);
        if (dict == null) {
            return; // an old module without buffers, say
        }
        if (!(dict instanceof Map<?, ?> entries)) {
            throw fail("has a " + attribute + " of " + module.className() + " at '" + where(prefix)
                    + "' that is not a dict");
        }
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() == null || skip.contains(e.getKey())) {
                continue;
            }
            Tensor t = DeferredTensor.tensorOf(e.getValue());
            if (t == null) {
                throw fail("has a non-tensor in " + attribute + " at '" + key + "'");
            }
            tensors.put(key, t);
        }
    }

    private static String where(String prefix) {
        return prefix.isEmpty() ? "<root>" : prefix.substring(0, prefix.length() - 1);
    }

    private WeightsException fail(String what) {
        return new WeightsException("cannot read " + fileName + ": it " + what);
    }
}
