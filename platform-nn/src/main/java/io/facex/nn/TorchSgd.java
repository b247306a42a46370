package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
            if (!param.requiresGradient()) {
                continue;
            }
            NDArray leaf = param.getArray();
            // Update a detached view (same storage): libtorch refuses in-place ops on a leaf that requires
            // grad while the thread's grad mode is on, and a new thread starts with it on.
            try (NDArray grad = leaf.getGradient(); NDArray w = leaf.stopGradient(); NDManager tmp = manager.newSubManager()) {
                NDArray g = grad.duplicate();
                g.attach(tmp);
                if (weightDecay != 0f) {
                    NDArray decay = w.mul(weightDecay);
                    decay.attach(tmp);
                    g.addi(decay);
                }
                NDArray buf = buffers.get(p.getKey());
                if (momentum == 0f) {
                    buf = g;
                } else if (buf == null) {
                    buf = g.duplicate();
                    buf.attach(manager);
                    buffers.put(p.getKey(), buf);
                } else {
                    buf.muli(momentum).addi(g);
                }
                NDArray delta = buf.mul(rate);
                delta.attach(tmp);
                w.subi(delta);
                grad.subi(grad);
            }
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
