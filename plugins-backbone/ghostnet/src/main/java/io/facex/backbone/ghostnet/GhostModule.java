package io.facex.backbone.ghostnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

/**
 * FaceX-Zoo's {@code GhostModule} (ratio 2, 1×1 primary, 3×3 cheap): {@code primary_conv} makes
 * ⌈oup/2⌉ channels, {@code cheap_operation} a depthwise 3×3 of them; the two are concatenated and cut to
 * oup channels.
 */
final class GhostModule extends AbstractBlock {

    private final int oup;
    private final int init;
    /** Only needed when oup is odd; the widths GhostNet builds are multiples of 4. */
    private final NDIndex cut;

    GhostModule(int oup, boolean relu) {
        super((byte) 1);
        this.oup = oup;
        this.init = (oup + 1) / 2;
        this.cut = 2 * init == oup ? null : new NDIndex(":, :{}", oup);
        Sequence primary = new Sequence()
                .add("0", Torch.conv(init, 1, 1, 0, 1, false))
                .add("1", Torch.batchNorm());
        Sequence cheap = new Sequence()
                .add("0", Torch.conv(init, 3, 1, 1, init, false))
                .add("1", Torch.batchNorm());
        if (relu) {
            primary.add("2", Torch.relu());
            cheap.add("2", Torch.relu());
        }
        addChildBlock("primary_conv", primary);
        addChildBlock("cheap_operation", cheap);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x1 = children.get(0).getValue().forward(store, inputs, training, params);
        NDList x2 = children.get(1).getValue().forward(store, x1, training, params);
        NDArray out = NDArrays.concat(new NDList(x1.singletonOrThrow(), x2.singletonOrThrow()), 1);
        x1.close();
        x2.close();
        if (cut == null) {
            return new NDList(out);
        }
        NDArray kept = out.get(cut);
        out.close();
        return new NDList(kept);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.get(0).getValue().initialize(manager, dataType, inputShapes);
        Shape[] primary = children.get(0).getValue().getOutputShapes(inputShapes);
        children.get(1).getValue().initialize(manager, dataType, primary);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape primary = children.get(0).getValue().getOutputShapes(inputShapes)[0];
        return new Shape[] {new Shape(in.get(0), oup, primary.get(2), primary.get(3))};
    }
}
