package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A sequential block whose children carry PyTorch module names ({@code conv}, {@code bn},
 * {@code prelu}, {@code model.0}), so a parameter's path maps one-to-one onto a FaceX-Zoo state-dict
 * key ({@link TorchNames}). Optionally residual: output = input + children(input).
 */
public final class Sequence extends AbstractBlock {

    private final boolean residual;
    private boolean cutAtPrelu;

    public Sequence() {
        this(false);
    }

    public Sequence(boolean residual) {
        super((byte) 1);
        this.residual = residual;
    }

    /** Appends a child under its PyTorch attribute name. */
    public Sequence add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    /**
     * Lets a training step's {@link CutBackward} cut this sequence's backward pass at its PReLUs and at
     * the inputs of the residual sequences, {@link Branches} and {@link SqueezeExcite} inside it. Only
     * for a sequence in which no other tensor is read twice (MobileFaceNet, ResNet IR); any other fork
     * would make two backward passes walk the same part of the graph, which libtorch refuses.
     */
    public Sequence cutAtPrelu() {
        this.cutAtPrelu = true;
        return this;
    }

    /** Whether this sequence asked for {@link #cutAtPrelu()}. */
    public boolean cutsAtPrelu() {
        return cutAtPrelu;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (cutAtPrelu && training) {
            return CutBackward.recording(() -> forwardChildren(store, inputs, training, params));
        }
        return forwardChildren(store, inputs, training, params);
    }

    private NDList forwardChildren(ParameterStore store, NDList original, boolean training, PairList<String, Object> params) {
        // The two readers of a residual input (the branch and the sum) share it as one cut.
        NDList inputs = residual && training ? new NDList(CutBackward.fork(original.singletonOrThrow())) : original;
        NDList current = inputs;
        java.util.List<Block> blocks = children.values();
        for (int i = 0; i < blocks.size(); i++) {
            Block child = blocks.get(i);
            NDList next = null;
            if (training && child instanceof BatchNorm bn && i + 1 < blocks.size() && blocks.get(i + 1) instanceof ChannelPrelu prelu) {
                // Batch norm and PReLU as one cut, which keeps only the batch norm's input and the PReLU's output.
                NDArray fused = CutBackward.batchNormPrelu(store, bn, prelu, current.singletonOrThrow(), params);
                if (fused != null) {
                    next = new NDList(fused);
                    i++;
                }
            }
            if (next == null) {
                next = child.forward(store, current, training, params);
            }
            if (current != inputs) {
                release(current, next);
            }
            current = next;
        }
        if (residual) {
            NDArray sum = current.singletonOrThrow().add(inputs.singletonOrThrow());
            if (current != inputs) {
                release(current, new NDList(sum)); // the add saves nothing for backward: the branch's output can go
            }
            if (inputs != original) {
                release(inputs, original);
            }
            return new NDList(sum);
        }
        return current;
    }

    /**
     * Drops our handles on a child's output once the next child has consumed it. Autograd keeps what
     * backward needs on its own; everything else is freed now instead of at the end of the step, which
     * is what makes DJL hold about twice PyTorch's memory in training.
     */
    private static void release(NDList done, NDList next) {
        for (NDArray a : done) {
            boolean passedOn = false;
            for (NDArray b : next) {
                passedOn |= a == b;
            }
            if (!passedOn) {
                a.close();
            }
        }
    }

    /** The children in order, with their names. */
    java.util.List<ai.djl.util.Pair<String, Block>> childList() {
        return java.util.List.copyOf(children.stream().toList());
    }

    /** Replaces the children at {@code index} and {@code index + 1} by one block under the first's name. */
    void fuse(int index, Block fused) {
        ai.djl.nn.BlockList rebuilt = new ai.djl.nn.BlockList();
        for (int i = 0; i < children.size(); i++) {
            if (i == index) {
                rebuilt.add(children.keyAt(i), fused);
            } else if (i != index + 1) {
                rebuilt.add(children.keyAt(i), children.valueAt(i));
            }
        }
        children = rebuilt;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : children.values()) {
            child.initialize(manager, dataType, shapes);
            shapes = child.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : children.values()) {
            shapes = child.getOutputShapes(shapes);
        }
        return shapes;
    }
}
