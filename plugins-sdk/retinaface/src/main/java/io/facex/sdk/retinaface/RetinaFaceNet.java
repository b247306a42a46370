package io.facex.sdk.retinaface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.facex.nn.Sequence;

/**
 * RetinaFace with the mobilenet-0.25 body, as FaceX-Zoo's {@code retinaface_def.py} builds it for its SDK
 * detector (phase 'test'): body (three MobileNetV1 stages, strides 8, 16, 32), FPN, one SSH per level, and
 * per level 1×1 class, box and landmark heads over two anchors. Children carry the original attribute
 * names, so parameters map onto the original state-dict keys ({@code body.stage1.0.0.weight},
 * {@code fpn.merge1.1.running_var}, {@code ssh2.conv7x7_3.0.weight}, {@code LandmarkHead.2.conv1x1.bias}).
 *
 * <p>Output, for a (1, 3, H, W) input: box regressions (1, P, 4), class probabilities (1, P, 2) (softmax,
 * as in phase 'test') and landmark regressions (1, P, 10), P = 2 · Σ ⌈H/s⌉·⌈W/s⌉ over s = 8, 16, 32, in
 * (level, row, column, anchor) order, the order of the priors.
 */
final class RetinaFaceNet extends AbstractBlock {

    /** The output strides of the three levels; the priors' {@code steps} must be these. */
    static final int[] STRIDES = {8, 16, 32};
    /** Anchors per position (two min_sizes per level); fixed by the heads' weights. */
    static final int ANCHORS = 2;
    private static final int CHANNELS = 64;

    private final Block body;
    private final Block fpn;
    private final Block[] ssh = new Block[3];
    private final Block boxHead;
    private final Block classHead;
    private final Block landmarkHead;

    RetinaFaceNet() {
        super((byte) 1);
        body = addChildBlock("body", new Body());
        fpn = addChildBlock("fpn", new Fpn());
        for (int i = 0; i < 3; i++) {
            ssh[i] = addChildBlock("ssh" + (i + 1), new Ssh());
        }
        // Declared in the original's order (class, box, landmark); only the names matter for the keys.
        classHead = addChildBlock("ClassHead", new Levels(ANCHORS * 2));
        boxHead = addChildBlock("BboxHead", new Levels(ANCHORS * 4));
        landmarkHead = addChildBlock("LandmarkHead", new Levels(ANCHORS * 10));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList levels = fpn.forward(ps, body.forward(ps, inputs, training, params), training, params);
        NDList features = new NDList(3);
        for (int i = 0; i < 3; i++) {
            features.add(ssh[i].forward(ps, new NDList(levels.get(i)), training, params).singletonOrThrow());
        }
        NDArray boxes = flatten(boxHead.forward(ps, features, training, params), 4);
        NDArray classes = flatten(classHead.forward(ps, features, training, params), 2);
        NDArray landmarks = flatten(landmarkHead.forward(ps, features, training, params), 10);
        return new NDList(boxes, classes.softmax(-1), landmarks);
    }

    /** Each level's (1, A·k, h, w) as (1, h·w·A, k) in (row, column, anchor) order, the levels concatenated. */
    private static NDArray flatten(NDList perLevel, int k) {
        NDList flat = new NDList(perLevel.size());
        for (NDArray a : perLevel) {
            flat.add(a.transpose(0, 2, 3, 1).reshape(a.getShape().get(0), -1, k));
        }
        return NDArrays.concat(flat, 1);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
        Shape[] stages = body.getOutputShapes(inputShapes);
        fpn.initialize(manager, dataType, stages);
        Shape[] levels = fpn.getOutputShapes(stages);
        for (int i = 0; i < 3; i++) {
            ssh[i].initialize(manager, dataType, levels[i]);
        }
        for (Block head : new Block[] {classHead, boxHead, landmarkHead}) {
            head.initialize(manager, dataType, levels);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long priors = 0;
        for (int s : STRIDES) {
            priors += ANCHORS * ceilDiv(in.get(2), s) * ceilDiv(in.get(3), s);
        }
        long n = in.get(0);
        return new Shape[] {new Shape(n, priors, 4), new Shape(n, priors, 2), new Shape(n, priors, 10)};
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** {@code MobileNetV1} behind {@code IntermediateLayerGetter}: the outputs of stage1, stage2 and stage3. */
    static final class Body extends AbstractBlock {

        Body() {
            super((byte) 1);
            addChildBlock("stage1", new Sequence()
                    .add("0", Layers.convBn(8, 2))
                    .add("1", Layers.convDw(8, 16, 1))
                    .add("2", Layers.convDw(16, 32, 2))
                    .add("3", Layers.convDw(32, 32, 1))
                    .add("4", Layers.convDw(32, 64, 2))
                    .add("5", Layers.convDw(64, 64, 1)));
            Sequence stage2 = new Sequence().add("0", Layers.convDw(64, 128, 2));
            for (int i = 1; i <= 5; i++) {
                stage2.add(Integer.toString(i), Layers.convDw(128, 128, 1));
            }
            addChildBlock("stage2", stage2);
            addChildBlock("stage3", new Sequence()
                    .add("0", Layers.convDw(128, 256, 2))
                    .add("1", Layers.convDw(256, 256, 1)));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList out = new NDList(3);
            NDList x = inputs;
            for (Block stage : children.values()) {
                x = stage.forward(ps, x, training, params);
                out.add(x.singletonOrThrow());
            }
            return out;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape[] x = inputShapes;
            for (Block stage : children.values()) {
                stage.initialize(manager, dataType, x);
                x = stage.getOutputShapes(x);
            }
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] out = new Shape[3];
            Shape[] x = inputShapes;
            int i = 0;
            for (Block stage : children.values()) {
                x = stage.getOutputShapes(x);
                out[i++] = x[0];
            }
            return out;
        }
    }

    /** {@code FPN}: 1×1 lateral convs to 64 channels, top-down nearest upsampling and sum, 3×3 merges. */
    static final class Fpn extends AbstractBlock {

        private final Block[] lateral = new Block[3];
        private final Block merge1;
        private final Block merge2;

        Fpn() {
            super((byte) 1);
            for (int i = 0; i < 3; i++) {
                lateral[i] = addChildBlock("output" + (i + 1), Layers.convBn1x1(CHANNELS));
            }
            merge1 = addChildBlock("merge1", Layers.convBn(CHANNELS, 1));
            merge2 = addChildBlock("merge2", Layers.convBn(CHANNELS, 1));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray o1 = one(lateral[0], ps, inputs.get(0), training, params);
            NDArray o2 = one(lateral[1], ps, inputs.get(1), training, params);
            NDArray o3 = one(lateral[2], ps, inputs.get(2), training, params);
            o2 = one(merge2, ps, o2.add(nearest(o3, o2.getShape())), training, params);
            o1 = one(merge1, ps, o1.add(nearest(o2, o1.getShape())), training, params);
            return new NDList(o1, o2, o3);
        }

        private static NDArray one(Block b, ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
            return b.forward(ps, new NDList(x), training, params).singletonOrThrow();
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            for (int i = 0; i < 3; i++) {
                lateral[i].initialize(manager, dataType, inputShapes[i]);
            }
            Shape merged = new Shape(1, CHANNELS, 8, 8);
            merge1.initialize(manager, dataType, merged);
            merge2.initialize(manager, dataType, merged);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] out = new Shape[3];
            for (int i = 0; i < 3; i++) {
                Shape s = inputShapes[i];
                out[i] = new Shape(s.get(0), CHANNELS, s.get(2), s.get(3));
            }
            return out;
        }
    }

    /**
     * {@code F.interpolate(x, size, mode="nearest")}: output row i reads input row ⌊i·in/out⌋ (the same for
     * columns). Indices are computed exactly in integers; PyTorch's float scale gives the same ones here,
     * since i·in/out is never within float rounding of an integer other than at i = 0.
     */
    static NDArray nearest(NDArray x, Shape target) {
        NDArray rows = x;
        long inH = x.getShape().get(2);
        long inW = x.getShape().get(3);
        long outH = target.get(2);
        long outW = target.get(3);
        if (inH != outH) {
            rows = x.get(new NDIndex(":, :, {}", indices(x.getManager(), inH, outH)));
        }
        if (inW == outW) {
            return rows;
        }
        return rows.get(new NDIndex(":, :, :, {}", indices(x.getManager(), inW, outW)));
    }

    private static NDArray indices(NDManager manager, long in, long out) {
        long[] idx = new long[Math.toIntExact(out)];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i * in / out;
        }
        return manager.create(idx);
    }

    /** {@code SSH}: 3×3 (32 ch), 5×5-equivalent (16) and 7×7-equivalent (16) branches, concatenated, ReLU. */
    static final class Ssh extends AbstractBlock {

        private final Block conv3x3;
        private final Block conv5x5a;
        private final Block conv5x5b;
        private final Block conv7x7a;
        private final Block conv7x7b;

        Ssh() {
            super((byte) 1);
            conv3x3 = addChildBlock("conv3X3", Layers.convBnNoRelu(CHANNELS / 2));
            conv5x5a = addChildBlock("conv5X5_1", Layers.convBn(CHANNELS / 4, 1));
            conv5x5b = addChildBlock("conv5X5_2", Layers.convBnNoRelu(CHANNELS / 4));
            conv7x7a = addChildBlock("conv7X7_2", Layers.convBn(CHANNELS / 4, 1));
            // The original's own spelling: lower-case x in this one attribute.
            conv7x7b = addChildBlock("conv7x7_3", Layers.convBnNoRelu(CHANNELS / 4));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray a = Fpn.one(conv3x3, ps, inputs.singletonOrThrow(), training, params);
            NDArray b1 = Fpn.one(conv5x5a, ps, inputs.singletonOrThrow(), training, params);
            NDArray b = Fpn.one(conv5x5b, ps, b1, training, params);
            NDArray c = Fpn.one(conv7x7b, ps, Fpn.one(conv7x7a, ps, b1, training, params), training, params);
            return new NDList(Activation.relu(NDArrays.concat(new NDList(a, b, c), 1)));
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape in = inputShapes[0];
            Shape quarter = new Shape(in.get(0), CHANNELS / 4, in.get(2), in.get(3));
            conv3x3.initialize(manager, dataType, in);
            conv5x5a.initialize(manager, dataType, in);
            conv5x5b.initialize(manager, dataType, quarter);
            conv7x7a.initialize(manager, dataType, quarter);
            conv7x7b.initialize(manager, dataType, quarter);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }

    /** An {@code nn.ModuleList} of one 1×1 head per level ({@code ClassHead.0} ...): level i's head on level i. */
    static final class Levels extends AbstractBlock {

        Levels(int outChannels) {
            super((byte) 1);
            for (int i = 0; i < 3; i++) {
                addChildBlock(Integer.toString(i), Layers.head(outChannels));
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList out = new NDList(3);
            int i = 0;
            for (Block head : children.values()) {
                out.add(Fpn.one(head, ps, inputs.get(i++), training, params));
            }
            return out;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            int i = 0;
            for (Block head : children.values()) {
                head.initialize(manager, dataType, inputShapes[i++]);
            }
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] out = new Shape[inputShapes.length];
            int i = 0;
            for (Block head : children.values()) {
                out[i] = head.getOutputShapes(new Shape[] {inputShapes[i]})[0];
                i++;
            }
            return out;
        }
    }
}
