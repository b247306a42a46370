package io.facex.weights;

/**
 * A global a pickle named that is not on {@link TorchGlobals}' allow-list: only its dotted name. It is
 * never resolved, imported or called; the unpickler lets it do exactly one thing, stand for a class
 * whose instance is created empty ({@code NEWOBJ} or {@code REDUCE} with no arguments, giving a
 * {@link PyObject}), and refuses every other use that Python would turn into a call.
 */
record PyGlobal(String name) {
}
