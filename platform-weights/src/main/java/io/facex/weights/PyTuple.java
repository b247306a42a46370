package io.facex.weights;

import java.util.List;

/** A Python tuple read from a pickle: immutable, and distinct from a list as Python keeps them. */
record PyTuple(List<Object> items) {

    PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    int size() {
        return items.size();
    }

    Object get(int i) {
        return items.get(i);
    }
}
