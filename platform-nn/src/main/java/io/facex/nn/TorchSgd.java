package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.optim.SGD(params, lr, momentum, weight_decay)} with PyTorch's exact semantics, which
 * DJL's SGD (MXNet's: the learning rate folded into the momentum buffer) does not have once the
 * learning rate changes: g = ∇ + wd·p; buf = g on a parameter's first step, then μ·buf + g; p −= lr·buf.
 * No dampening, no Nesterov; weight decay applies to every parameter, as in FaceX-Zoo. The momentum
 * buffers are exposed so that checkpoints can carry them and a resumed run continues exactly.
 */
public final class TorchSgd {

    private final NDManager manager;
    private final float momentum;
    private final float weightDecay;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    /**
     * @param manager owns the momentum buffers (a long-lived manager, e.g. the model's)
     */
    public TorchSgd(NDManager manager, double momentum, double weightDecay) {
        this.manager = manager;
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
    }

    /**
     * One update of every parameter that needs a gradient, then zeroes the gradients (DJL accumulates
     * them across backward passes).
     *
     * @param params named parameters, names unique (used as buffer keys)
     */
    public void step(PairList<String, Parameter> params, double lr) {
        float rate = (float) lr;
        for (Pair<String, Parameter> p : params) {
            Parameter param = p.getValue();
            NDArray leaf = param.getArray();
            // A leaf set aside from autograd (Partial FC's whole class matrix) is updated elsewhere.
            if (!param.requiresGradient() || !leaf.hasGradient()) {
                continue;
            }
            // Update a detached view (same storage): libtorch refuses in-place ops on a leaf that requires
            // grad while the thread's grad mode is on, and a new thread starts with it on.
            try (NDArray grad = leaf.getGradient(); NDArray w = leaf.stopGradient()) {
                NDArray buf = buffers.get(p.getKey());
                boolean first = buf == null && momentum != 0f;
                if (first) {
                    buf = manager.zeros(w.getShape(), w.getDataType());
                    buffers.put(p.getKey(), buf);
                }
                long rows = w.getShape().dimension() == 0 ? 1 : w.getShape().get(0);
                long perRow = rows == 0 ? 1 : Math.max(1, w.size() / rows);
                long chunk = Math.max(1, CHUNK / perRow);
                // Row blocks of a few MB: the temporaries stay small however large the parameter (a class
                // matrix of a million identities is 2 GB).
                for (long a = 0; a < rows; a += chunk) {
                    long b = Math.min(rows, a + chunk);
                    boolean whole = a == 0 && b == rows;
                    try (NDManager tmp = manager.newSubManager()) {
                        NDArray ws = whole ? w : slice(w, a, b, tmp);
                        NDArray gs = whole ? grad : slice(grad, a, b, tmp);
                        NDArray g = gs.duplicate();
                        g.attach(tmp);
                        if (weightDecay != 0f) {
                            NDArray decay = ws.mul(weightDecay);
                            decay.attach(tmp);
                            g.addi(decay);
                        }
                        NDArray step;
                        if (momentum == 0f) {
                            step = g;
                        } else {
                            NDArray bs = whole ? buf : slice(buf, a, b, tmp);
                            if (first) {
                                bs.addi(g); // buf = g on the first step, as PyTorch's clone
                            } else {
                                bs.muli(momentum).addi(g);
                            }
                            step = bs;
                        }
                        NDArray delta = step.mul(rate);
                        delta.attach(tmp);
                        ws.subi(delta);
                    }
                }
                grad.subi(grad);
            }
        }
    }

    /** Elements per block of {@link #step}'s update. */
    private static final long CHUNK = 1L << 22;

    private static NDArray slice(NDArray a, long from, long to, NDManager owner) {
        NDArray view = a.get(new NDIndex(from + ":" + to));
        view.attach(owner);
        return view;
    }

    /**
     * SGD on some slices of a parameter (Partial FC's sampled class centres): their gradient, weight decay
     * and momentum, written back into the parameter and its buffer; the other slices, their momentum and
     * their decay wait until they are drawn. A buffer slice starts at zero, so a slice's first update is
     * PyTorch's first step (buf = g).
     *
     * @param key   the parameter's buffer key (as in {@link #step})
     * @param param the whole parameter
     * @param axis  0 when the slices are rows, 1 when they are columns (a (featDim, numClass) class matrix)
     * @param index the slices (k) int64
     * @param rows  the leaf the pass used (the k slices along {@code axis}): its values and gradient
     */
    public void stepRows(String key, NDArray param, int axis, NDArray index, NDArray rows, double lr) {
        NDIndex at = axis == 0 ? new NDIndex("{}", index) : new NDIndex(":, {}", index);
        try (NDManager tmp = manager.newSubManager(); NDArray whole = param.stopGradient()) {
            NDArray buf = buffers.get(key);
            if (buf == null && momentum != 0f) {
                buf = manager.zeros(whole.getShape(), whole.getDataType());
                buffers.put(key, buf);
            }
            NDArray values = rows.stopGradient();
            values.attach(tmp);
            NDArray g = rows.getGradient().duplicate();
            g.attach(tmp);
            if (weightDecay != 0f) {
                NDArray decay = values.mul(weightDecay);
                decay.attach(tmp);
                g.addi(decay);
            }
            NDArray step = g;
            if (momentum != 0f) {
                step = buf.get(at);
                step.attach(tmp);
                step.muli(momentum).addi(g);
                buf.set(at, step);
            }
            NDArray delta = step.mul((float) lr);
            delta.attach(tmp);
            NDArray updated = values.sub(delta);
            updated.attach(tmp);
            whole.set(at, updated);
        }
    }

    /** The momentum buffers by parameter name (live arrays; copy them to save). */
    public Map<String, NDArray> buffers() {
        return buffers;
    }

    /** Restores a buffer saved by a checkpoint. */
    public void restoreBuffer(String name, NDArray value) {
        NDArray copy = value.duplicate();
        copy.attach(manager);
        NDArray old = buffers.put(name, copy);
        if (old != null) {
            old.close();
        }
    }
}
