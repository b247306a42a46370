package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;


/**
 * PyTorch's {@code nn.PReLU(C)}: one slope per channel (axis 1), initialised to 0.25.
 *
 * <p>DJL's own {@code Prelu} has a single slope and its PyTorch engine exposes no per-channel kernel, and
 * any composition of DJL ops costs about twice libtorch's fused {@code prelu} forward and backward (and
 * keeps three more activations alive for backward). So the op runs as a one-line TorchScript module
 * ({@code prelu.pt}: {@code forward(x, weight) = torch.prelu(x, weight)}), with the slope still a DJL
 * parameter passed in as the second input, so autograd, the optimizer and the weight names are unchanged.
 * In a sequence that allows it, training cuts the backward pass here and runs {@link PreluBackward}
 * instead of libtorch's kernel ({@link CutBackward}).
 */
public final class ChannelPrelu extends AbstractBlock {

    private final int channels;
    private final Parameter weight;

    public ChannelPrelu(int channels) {
        super((byte) 1);
        this.channels = channels;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(channels))
                .optInitializer(new ConstantInitializer(0.25f))
                .build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray slope = store.getValue(weight, x.getDevice(), training);
        // Always the module's "training" path: PReLU has no train/eval difference, whether a graph is
        // recorded follows the thread's grad mode as for every other op, and DJL's inference path would
        // switch libtorch to a deprecated dispatch mode that prints a warning.
        if (training) {
            NDArray cut = CutBackward.prelu(x, slope, (xd, sd) -> prelu(store, xd, sd));
            if (cut != null) {
                return new NDList(cut);
            }
        }
        return new NDList(prelu(store, x, slope));
    }

    /** The slope as this pass uses it. */
    NDArray slope(ParameterStore store, NDArray x) {
        return store.getValue(weight, x.getDevice(), true);
    }

    static NDArray prelu(ParameterStore store, NDArray x, NDArray slope) {
        return TorchScripts.get("prelu.pt", x.getDevice()).forward(store, new NDList(positional(x, x), positional(slope, x)), true).singletonOrThrow();
    }

    /**
     * DJL reads some array names as TorchScript list, tuple or dict entries ("a.b", "x[]", "t()"); such an
     * input goes in as an unnamed view, kept in the batch's manager (a view of a parameter would otherwise
     * land in the model's manager and stay there).
     */
    static NDArray positional(NDArray a, NDArray batch) {
        String n = a.getName();
        if (n == null || !(n.contains(".") || n.contains(":") || n.endsWith("]") || n.endsWith(")"))) {
            return a;
        }
        NDArray view = a.reshape(a.getShape());
        view.attach(batch.getManager());
        return view;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "PReLU(" + channels + ")";
    }
}
