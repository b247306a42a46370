package io.facex.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instance of a pickled class (a whole {@code nn.Module}, one of its layers, ...), kept as inert data:
 * the class's dotted name and the attribute dict {@code BUILD} gave it. Python would run the class's
 * code to create and fill it; here nothing of the class exists but its name.
 */
final class PyObject {

    private final String className;
    private final Map<Object, Object> state = new LinkedHashMap<>();

    PyObject(String className) {
        this.className = className;
    }

    String className() {
        return className;
    }

    /** The attributes, in pickle order. */
    Map<Object, Object> state() {
        return Collections.unmodifiableMap(state);
    }

    Object attribute(String name) {
        return state.get(name);
    }

    /** {@code BUILD} with a dict: Python's default {@code __dict__.update(state)}. */
    void update(Map<?, ?> attributes) {
        state.putAll(attributes);
    }

    @Override
    public String toString() {
        return className + " instance";
    }
}
