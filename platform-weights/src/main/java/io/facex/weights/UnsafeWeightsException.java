package io.facex.weights;

/**
 * A checkpoint whose pickle asks for something beyond rebuilding tensors and dicts. Loading it with
 * {@code torch.load} could run arbitrary code, so it is refused before anything is built.
 */
public class UnsafeWeightsException extends WeightsException {

    private static final long serialVersionUID = 1L;

    private final String offendingGlobal;

    public UnsafeWeightsException(String message, String offendingGlobal) {
        super(message);
        this.offendingGlobal = offendingGlobal;
    }

    /** The dotted name the pickle referred to, e.g. {@code builtins.eval}. */
    public String offendingGlobal() {
        return offendingGlobal;
    }
}
