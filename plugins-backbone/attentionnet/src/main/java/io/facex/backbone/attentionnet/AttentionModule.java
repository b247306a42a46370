package io.facex.backbone.attentionnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

import java.util.ArrayList;
import java.util.List;

import static io.facex.backbone.attentionnet.ResidualBlock.apply;

/**
 * An attention module of the Residual Attention Network: FaceX-Zoo's {@code AttentionModule_stage1},
 * {@code _stage2} and {@code _stage3}, which differ only in how many times the mask branch halves the
 * map ({@code levels} 3, 2, 1). Children carry the original's attribute names, whose numbering follows
 * the order the original creates them in.
 *
 * <pre>
 * x     = first_residual_blocks(x);  trunk = trunk_branches(x)           (two blocks)
 * s_1   = softmax1_blocks(maxpool(x));  k_1 = skip1_connection_residual_block(s_1)   ... down to level L−1
 * m     = softmax{L}_blocks(maxpool(s_{L−1}))                             (two blocks)
 * m     = softmax{..}_blocks(up(m → s_j) + s_j + k_j)                    for j = L−1 ... 1
 * mask  = softmax{2L}_blocks(up(m → trunk) + trunk)                      (BN ReLU 1×1 BN ReLU 1×1 sigmoid)
 * out   = last_blocks((1 + mask) · trunk)
 * </pre>
 *
 * <p>The original upsamples to fixed sizes (56/28/14 for stage 1, 28/14 for stage 2, 14 for stage 3),
 * which are exactly the sizes of the maps it adds to when faces are 112×112, the only size it runs on.
 * Here each upsampling targets the size of the map it is added to: the same numbers at 112×112, and
 * smaller inputs (the upper-face crop, test inputs) work too.
 */
final class AttentionModule extends AbstractBlock {

    private static final Shape POOL = new Shape(3, 3);
    private static final Shape STRIDE = new Shape(2, 2);
    private static final Shape PAD = new Shape(1, 1);

    private final int levels;
    private final Block first;
    private final Block trunk;
    /** softmax{i}_blocks on the way down, i = 1 .. levels (the last one a pair of blocks). */
    private final List<Block> down = new ArrayList<>();
    /** skip{i}_connection_residual_block, i = 1 .. levels − 1. */
    private final List<Block> skips = new ArrayList<>();
    /** softmax{levels+1 ..}_blocks on the way up, from the deepest level. */
    private final List<Block> up = new ArrayList<>();
    private final Block maskHead;
    private final Block last;
    private final AlignedBilinear upsample = new AlignedBilinear();

    AttentionModule(int channels, int levels) {
        super((byte) 1);
        if (levels < 1 || levels > 3) {
            throw new IllegalArgumentException("an attention module has 1 to 3 mask levels, got " + levels);
        }
        this.levels = levels;
        first = addChildBlock("first_residual_blocks", new ResidualBlock(channels));
        trunk = addChildBlock("trunk_branches", pair(channels));
        for (int i = 1; i < levels; i++) {
            down.add(addChildBlock("softmax" + i + "_blocks", new ResidualBlock(channels)));
            skips.add(addChildBlock("skip" + i + "_connection_residual_block", new ResidualBlock(channels)));
        }
        down.add(addChildBlock("softmax" + levels + "_blocks", pair(channels)));
        for (int i = 1; i < levels; i++) {
            up.add(addChildBlock("softmax" + (levels + i) + "_blocks", new ResidualBlock(channels)));
        }
        maskHead = addChildBlock("softmax" + (2 * levels) + "_blocks", new Sequence()
                .add("0", Torch.batchNorm())
                .add("1", Torch.relu())
                .add("2", Torch.conv(channels, 1, 1, 0, 1, false))
                .add("3", Torch.batchNorm())
                .add("4", Torch.relu())
                .add("5", Torch.conv(channels, 1, 1, 0, 1, false))
                .add("6", Torch.sigmoid()));
        last = addChildBlock("last_blocks", new ResidualBlock(channels));
    }

    private static Sequence pair(int channels) {
        return new Sequence().add("0", new ResidualBlock(channels)).add("1", new ResidualBlock(channels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = apply(first, store, inputs.singletonOrThrow(), training, params);
        NDArray trunkOut = apply(trunk, store, x, training, params);

        // s[i], k[i]: the mask branch's map at level i + 1 and its skip connection
        List<NDArray> s = new ArrayList<>(levels);
        List<NDArray> k = new ArrayList<>(levels);
        NDArray current = x;
        for (int i = 0; i < levels; i++) {
            NDArray pooled = Pool.maxPool2d(current, POOL, STRIDE, PAD, false);
            NDArray level = apply(down.get(i), store, pooled, training, params);
            pooled.close();
            if (i < levels - 1) {
                s.add(level);
                k.add(apply(skips.get(i), store, level, training, params));
            }
            current = level;
        }
        x.close();

        NDArray m = current;
        for (int j = levels - 2, u = 0; j >= 0; j--, u++) {
            NDArray sum = resizedSum(m, s.get(j), k.get(j));
            m.close();
            m = apply(up.get(u), store, sum, training, params);
            sum.close();
        }
        NDArray sum = resizedSum(m, trunkOut, null);
        m.close();
        NDArray mask = apply(maskHead, store, sum, training, params);
        sum.close();
        NDArray gate = mask.add(1f);
        NDArray gated = gate.mul(trunkOut);
        for (NDArray a : new NDArray[] {mask, gate, trunkOut}) {
            a.close();
        }
        s.forEach(NDArray::close);
        k.forEach(NDArray::close);
        NDArray out = apply(last, store, gated, training, params);
        gated.close();
        return new NDList(out);
    }

    /** up(m → size of target) + target [+ skip], added in the original's order. */
    private NDArray resizedSum(NDArray m, NDArray target, NDArray skip) {
        Shape t = target.getShape();
        NDArray resized = upsample.resize(m, t.get(2), t.get(3));
        NDArray sum = resized.add(target);
        resized.close();
        if (skip != null) {
            NDArray withSkip = sum.add(skip);
            sum.close();
            sum = withSkip;
        }
        return sum;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        upsample.useManager(manager);
        first.initialize(manager, dataType, inputShapes);
        trunk.initialize(manager, dataType, inputShapes);
        Shape[] shapes = inputShapes;
        for (int i = 0; i < levels; i++) {
            shapes = new Shape[] {pooled(shapes[0])};
            down.get(i).initialize(manager, dataType, shapes);
            if (i < levels - 1) {
                skips.get(i).initialize(manager, dataType, shapes);
            }
        }
        // every block of the mask branch keeps the width; the sizes do not matter to their parameters
        for (Block b : up) {
            b.initialize(manager, dataType, inputShapes);
        }
        maskHead.initialize(manager, dataType, inputShapes);
        last.initialize(manager, dataType, inputShapes);
    }

    private static Shape pooled(Shape s) {
        return new Shape(s.get(0), s.get(1), (s.get(2) - 1) / 2 + 1, (s.get(3) - 1) / 2 + 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
