package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Parallel branches over the same input, summed: a residual unit's body and shortcut
 * ({@code res_layer(x) + shortcut_layer(x)}), RepVGG's 3×3, 1×1 and identity branches. Each branch is a
 * child under the original's attribute name; a branch with no parameters (an identity, a strided
 * max-pool shortcut) is just a block like any other.
 */
public final class Branches extends AbstractBlock {

    public Branches() {
        super((byte) 1);
    }

    /** Adds a branch under its PyTorch attribute name. */
    public Branches add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray original = inputs.singletonOrThrow();
        // Every branch reads the input: one cut for all of them when training is cut.
        NDArray input = training ? CutBackward.fork(original) : original;
        NDList shared = new NDList(input);
        NDArray sum = null;
        for (Block branch : children.values()) {
            NDArray out = branch.forward(store, shared, training, params).singletonOrThrow();
            if (sum == null) {
                sum = out;
                continue;
            }
            NDArray next = sum.add(out);
            // Each partial sum and branch output is dropped as soon as it is added: otherwise every block's
            // branches stay in the step's manager until the step ends (RepVGG-B1 at batch 32: 15 GB instead
            // of about 2). Autograd keeps what backward needs on its own; the input belongs to the caller.
            release(sum, input);
            release(out, input);
            sum = next;
        }
        if (sum == null) {
            throw new IllegalStateException("a Branches block needs at least one branch");
        }
        if (input != original && sum != input) {
            input.close();
        }
        return new NDList(sum);
    }

    private static void release(NDArray a, NDArray input) {
        if (a != input) {
            a.close();
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block branch : children.values()) {
            branch.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return children.values().get(0).getOutputShapes(inputShapes);
    }
}
