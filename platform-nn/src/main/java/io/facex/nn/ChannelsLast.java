package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.function.Supplier;

/**
 * {@code x.contiguous(memory_format=torch.channels_last)}: the same values, stored NHWC. A backbone whose
 * first child this is runs all of its convolutions, batch norms and PReLUs on channels-last tensors, since
 * libtorch's ops keep the layout they are given: oneDNN's kernels for it are faster on CPU, depthwise
 * convolutions above all (MobileFaceNet at batch 16: forward pass 170 -> 216 images/s, training step
 * 28.6 -> 35.5; README, Performance).
 * DJL's engine has no call for it, so it runs as a one-line TorchScript module ({@code channels_last.pt}).
 * No parameters, so weight names and checkpoints are unchanged; a backbone opts in where the contract
 * test shows the same function and the benchmark shows it faster.
 */
public final class ChannelsLast extends AbstractBlock {

    private static final ThreadFlag PLAIN = new ThreadFlag();

    /**
     * {@code -Dfacex.nn.channels_last=false} keeps every backbone NCHW: the way back should a libtorch build
     * compute a channels-last op differently, and the other half of a speed comparison.
     */
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("facex.nn.channels_last"));

    public ChannelsLast() {
        super((byte) 1);
    }

    /** {@code x} stored channels-last; anything but a 4-d array (or inside {@link #plain}, or switched off) as it is. */
    public static NDArray of(NDArray x) {
        if (!ENABLED || PLAIN.isOn() || x.getShape().dimension() != 4) {
            return x;
        }
        return TorchScripts.get("channels_last.pt", x.getDevice())
                .forward(new ParameterStore(x.getManager(), false), new NDList(x), true)
                .singletonOrThrow();
    }

    /** Runs {@code pass} with every layout change skipped: the backbone on the plain NCHW layout, for comparison. */
    public static <T> T plain(Supplier<T> pass) {
        return PLAIN.during(pass);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = of(x);
        // unchanged: the caller's own list, so that a Sequence never takes the caller's array for its own
        return y == x ? inputs : new NDList(y);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "ChannelsLast()";
    }
}
