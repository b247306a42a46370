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
 * PyTorch's {@code nn.PReLU(C)}: one slope per channel (axis 1), initialised to 0.25. DJL's own
 * {@code Prelu} has a single slope and its engine has no per-channel kernel, so this composes it.
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
        long[] shape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[1] = channels;
        NDArray slope = store.getValue(weight, x.getDevice(), training).reshape(new Shape(shape));
        // An op on a parameter lands in the model's manager; move it to the batch's, or it leaks every step.
        slope.attach(x.getManager());
        // relu(x) + a·(x − relu(x)): the cheapest composed form under autograd (see platform notes).
        NDArray pos = x.getNDArrayInternal().relu();
        NDArray neg = x.sub(pos);
        NDArray scaled = neg.mul(slope);
        NDArray out = pos.add(scaled);
        // Autograd holds what backward needs; our handles would keep the rest alive until the step ends.
        neg.close();
        scaled.close();
        pos.close();
        slope.close();
        return new NDList(out);
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
