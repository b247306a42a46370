package io.facex.backbone.efficientnet;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The original's {@code _fc}: a Linear(in → out) whose weights exist, count and load, but which the
 * forward pass never calls. Passes its input through unchanged.
 */
final class UnusedLinear extends AbstractBlock {

    private final int in;
    private final int out;

    UnusedLinear(int in, int out) {
        super((byte) 1);
        this.in = in;
        this.out = out;
        addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).optShape(new Shape(out, in)).build());
        addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).optShape(new Shape(out)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return inputs;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "UnusedLinear(" + in + " -> " + out + ")";
    }
}
