package io.facex.sdk.fma;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.facex.api.InvalidConfigException;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;
import io.facex.nn.TorchNames;
import io.facex.weights.BlockWeights;
import io.facex.weights.StateDict;
import io.facex.weights.Weights;
import io.facex.weights.WeightsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PRNet as FMA-3D builds it ({@code model/prnet.py}, after pytorch-prnet): a 256×256 RGB face in [0, 1]
 * to its UV position map, 3×256×256 through a sigmoid (× 281.6 = crop pixels, see {@link UvCrop}).
 * Ten residual blocks encode to 8×8×512, seventeen transposed convolutions decode. Children carry the
 * original's attribute names, so parameter paths map onto its state-dict keys.
 *
 * <p>The original's modules hold both variants of every TF-"same" convolution (an even- and an
 * odd-padded one) and of every decoder step (stride 1 and 2), of which the forward pass uses one. They
 * are kept here too: a checkpoint holds all of them, and strict loading accounts for every key.
 */
final class Prnet {

    static final int SIZE = 256;
    private static final int WIDTH = 16;
    /** BatchNorm as the original sets it (TF's defaults); the momentum only matters in training. */
    private static final double BN_EPS = 1e-3;
    private static final double BN_MOMENTUM = 1e-3;

    private Prnet() {
    }

    /** The whole network, input (N, 3, 256, 256). */
    static Block network() {
        return new Net();
    }

    /** Parameters as PyTorch counts them: weights and BN's affine terms, not its running statistics. */
    static long parameterCount(Block block) {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().getType() != Parameter.Type.RUNNING_MEAN && p.getValue().getType() != Parameter.Type.RUNNING_VAR) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /**
     * A network with the weights of one file, in its own native memory. {@code prnet_path} names a state
     * dict with FMA-3D's keys ({@code input_layer.0.even_conv.weight}, ..., {@code decoder_block_17.bn.running_var})
     * as .npz, .safetensors or a PyTorch zip checkpoint; loading is strict.
     */
    static final class Loaded implements AutoCloseable {

        final String stamp;
        private final NDManager manager;
        private final Block block;

        private Loaded(String stamp, NDManager manager, Block block) {
            this.stamp = stamp;
            this.manager = manager;
            this.block = block;
        }

        static String stamp(Path file) {
            try {
                return file.toAbsolutePath() + "@" + Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
            } catch (IOException e) {
                throw new InvalidConfigException("prnet_path", file + ": cannot read (" + e.getMessage() + ")");
            }
        }

        static Loaded load(Path file) {
            String stamp = stamp(file);
            StateDict weights;
            try {
                weights = Weights.load(file).select("");
            } catch (WeightsException e) {
                throw new InvalidConfigException("prnet_path", "cannot load PRNet weights " + file + ": " + e.getMessage());
            }
            NDManager manager = NDManager.newBaseManager();
            try {
                Block block = network();
                block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
                BlockWeights.apply(block, weights, TorchNames::toTorch);
                return new Loaded(stamp, manager, block);
            } catch (WeightsException e) { // names every missing, unexpected or mis-shaped key
                manager.close();
                throw new InvalidConfigException("prnet_path", file + ": not FMA-3D's PRNet: " + e.getMessage());
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        Block block() {
            return block;
        }

        /** The sigmoid position map, 3×256×256, of one RGB crop in [0, 1] (3×256×256). */
        float[] run(float[] chw) {
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(chw, new Shape(1, 3, SIZE, SIZE));
                return block.forward(new ParameterStore(step, false), new NDList(x), false).singletonOrThrow().toFloatArray();
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    private static Block bn() {
        return Torch.batchNorm(BN_EPS, BN_MOMENTUM);
    }

    private static final class Net extends AbstractBlock {

        private final List<Block> stages = new ArrayList<>();

        Net() {
            super((byte) 1);
            int s = WIDTH;
            stages.add(addChildBlock("input_layer", new Sequence()
                    .add("0", new SameConv(SIZE, s, 4, 1))
                    .add("1", bn())
                    .add("2", Torch.relu())));
            int[][] encoder = {{s, 2 * s, 2}, {2 * s, 2 * s, 1}, {2 * s, 4 * s, 2}, {4 * s, 4 * s, 1}, {4 * s, 8 * s, 2},
                {8 * s, 8 * s, 1}, {8 * s, 16 * s, 2}, {16 * s, 16 * s, 1}, {16 * s, 32 * s, 2}, {32 * s, 32 * s, 1}};
            int size = SIZE;
            for (int i = 0; i < encoder.length; i++) {
                stages.add(addChildBlock("encoder_block_" + (i + 1),
                        new ResBlock(encoder[i][0], encoder[i][1], encoder[i][2], size)));
                size /= encoder[i][2];
            }
            int[][] decoder = {{32 * s, 1}, {16 * s, 2}, {16 * s, 1}, {16 * s, 1}, {8 * s, 2}, {8 * s, 1}, {8 * s, 1},
                {4 * s, 2}, {4 * s, 1}, {4 * s, 1}, {2 * s, 2}, {2 * s, 1}, {s, 2}, {s, 1}, {3, 1}, {3, 1}, {3, 1}};
            for (int i = 0; i < decoder.length; i++) {
                stages.add(addChildBlock("decoder_block_" + (i + 1),
                        new UpBlock(decoder[i][0], decoder[i][1], i == decoder.length - 1)));
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList current = inputs;
            for (Block b : stages) {
                NDList next = b.forward(store, current, training, params);
                if (current != inputs) {
                    current.close(); // DJL would otherwise keep every stage's activations until the step ends
                }
                current = next;
            }
            return current;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape[] shapes = inputShapes;
            for (Block b : stages) {
                b.initialize(manager, dataType, shapes);
                shapes = b.getOutputShapes(shapes);
            }
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] shapes = inputShapes;
            for (Block b : stages) {
                shapes = b.getOutputShapes(shapes);
            }
            return shapes;
        }
    }

    /**
     * The original's {@code Conv2d}: TensorFlow's "same" padding, out = in / stride. The total padding
     * stride·(out−1) − in + k is split evenly ({@code even_conv}) or with the extra row and column at the
     * bottom and right ({@code odd_conv}: a zero pad, then an unpadded convolution), as TF does.
     */
    private static final class SameConv extends AbstractBlock {

        private final int out;
        private final int stride;
        private final boolean odd;
        private final Block even;
        private final Block oddConv;

        SameConv(int inputSize, int out, int kernel, int stride) {
            super((byte) 1);
            this.out = out;
            this.stride = stride;
            int total = stride * (inputSize / stride - 1) - inputSize + kernel;
            this.odd = total % 2 != 0;
            even = addChildBlock("even_conv", Torch.conv(out, kernel, stride, total / 2, 1, false));
            oddConv = addChildBlock("odd_conv", new Sequence()
                    .add("0", new Pad(total / 2, total / 2 + 1))
                    .add("1", Torch.conv(out, kernel, stride, 0, 1, false)));
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            return (odd ? oddConv : even).forward(store, inputs, training, params);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            even.initialize(manager, dataType, inputShapes);
            oddConv.initialize(manager, dataType, inputShapes);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            Shape s = in[0];
            return new Shape[] {new Shape(s.get(0), out, s.get(2) / stride, s.get(3) / stride)};
        }
    }

    /** {@code nn.ConstantPad2d((before, after, before, after), 0)}: zeros before and after both spatial axes. */
    private static final class Pad extends AbstractBlock {

        private final int before;
        private final int after;

        Pad(int before, int after) {
            super((byte) 1);
            this.before = before;
            this.after = after;
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            return new NDList(inputs.singletonOrThrow().pad(new Shape(before, after, before, after), 0));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            Shape s = in[0];
            return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) + before + after, s.get(3) + before + after)};
        }
    }

    /**
     * The original's {@code ResBlock}: 1×1 to half width, a 4×4 "same" convolution (strided when
     * downsampling), 1×1 back to full width; the input (through {@code shortcut} when the shape changes)
     * is added before the last BN and ReLU.
     */
    private static final class ResBlock extends AbstractBlock {

        private final int in;
        private final int out;
        private final int stride;
        private final Block conv1;
        private final Block bn1;
        private final Block conv2;
        private final Block bn2;
        private final Block conv3;
        private final Block shortcut;
        private final Block bn3;

        ResBlock(int in, int out, int stride, int inputSize) {
            super((byte) 1);
            this.in = in;
            this.out = out;
            this.stride = stride;
            conv1 = addChildBlock("conv1", Torch.conv(out / 2, 1, 1, 0, 1, false));
            bn1 = addChildBlock("bn1", bn());
            conv2 = addChildBlock("conv2", new SameConv(inputSize, out / 2, 4, stride));
            bn2 = addChildBlock("bn2", bn());
            conv3 = addChildBlock("conv3", new SameConv(inputSize / stride, out, 1, 1));
            shortcut = addChildBlock("shortcut", Torch.conv(out, 1, stride, 0, 1, false));
            bn3 = addChildBlock("bn3", bn());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList x = inputs;
            NDList h = step(conv1, store, x, training, params);
            h = relu(step(bn1, store, h, training, params, true));
            h = step(conv2, store, h, training, params, true);
            h = relu(step(bn2, store, h, training, params, true));
            h = step(conv3, store, h, training, params, true);
            NDArray sum;
            if (in != out || stride != 1) {
                try (NDList identity = shortcut.forward(store, x, training, params)) {
                    sum = h.singletonOrThrow().add(identity.singletonOrThrow());
                }
            } else {
                sum = h.singletonOrThrow().add(x.singletonOrThrow());
            }
            h.close();
            return relu(step(bn3, store, new NDList(sum), training, params, true));
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape[] shapes = inputShapes;
            for (Block b : new Block[] {conv1, bn1, conv2, bn2, conv3}) {
                b.initialize(manager, dataType, shapes);
                shapes = b.getOutputShapes(shapes);
            }
            shortcut.initialize(manager, dataType, inputShapes);
            bn3.initialize(manager, dataType, shapes);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape s = inputShapes[0];
            return new Shape[] {new Shape(s.get(0), out, s.get(2) / stride, s.get(3) / stride)};
        }
    }

    /**
     * The original's {@code UpBlock}: a 4×4 transposed convolution, doubling the size
     * ({@code upConvTranspose}, padding 1) or keeping it ({@code convTranspose}: pad 2 before and 1 after,
     * then padding 3), BN, then ReLU, or a sigmoid at the last block.
     */
    private static final class UpBlock extends AbstractBlock {

        private final int out;
        private final int stride;
        private final boolean sigmoid;
        private final Block up;
        private final Block same;
        private final Block bn;

        UpBlock(int out, int stride, boolean sigmoid) {
            super((byte) 1);
            this.out = out;
            this.stride = stride;
            this.sigmoid = sigmoid;
            up = addChildBlock("upConvTranspose", transposed(out, 2, 1));
            same = addChildBlock("convTranspose", new Sequence()
                    .add("0", new Pad(2, 1))
                    .add("1", transposed(out, 1, 3)));
            bn = addChildBlock("bn", bn());
        }

        private static Block transposed(int out, int stride, int padding) {
            return new Transposed(out, stride, padding);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList h = step(stride == 1 ? same : up, store, inputs, training, params);
            h = step(bn, store, h, training, params, true);
            NDArray x = h.singletonOrThrow();
            NDArray y = sigmoid ? Activation.sigmoid(x) : Activation.relu(x);
            h.close();
            return new NDList(y);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            up.initialize(manager, dataType, inputShapes);
            same.initialize(manager, dataType, inputShapes);
            bn.initialize(manager, dataType, getOutputShapes(inputShapes));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape s = inputShapes[0];
            return new Shape[] {new Shape(s.get(0), out, s.get(2) * stride, s.get(3) * stride)};
        }
    }

    /**
     * {@code nn.ConvTranspose2d(in, out, 4, stride, padding, bias=False)} with PyTorch's weight layout
     * (in, out, 4, 4). DJL's own {@code Conv2dTranspose} declares (out, in, 4, 4), and its PyTorch engine does
     * not implement the operation.
     */
    private static final class Transposed extends AbstractBlock {

        private final int out;
        private final int stride;
        private final int padding;
        private final Parameter weight;

        Transposed(int out, int stride, int padding) {
            super((byte) 1);
            this.out = out;
            this.stride = stride;
            this.padding = padding;
            weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
        }

        @Override
        protected void prepare(Shape[] inputShapes) {
            weight.setShape(new Shape(inputShapes[0].get(1), out, 4, 4));
        }

        /**
         * As a plain convolution (DJL's PyTorch engine has no transposed one): zeros between the input's
         * pixels when strided, k − 1 − padding zeros around (one fewer after, where spreading left a row),
         * and the kernel turned by 180° with its in and out axes swapped.
         */
        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray w = store.getValue(weight, x.getDevice(), training);
            int lead = 3 - padding, tail = stride == 1 ? lead : lead - 1;
            try (NDManager scope = x.getManager().newSubManager()) {
                NDArray kernel = w.flip(2, 3).transpose(1, 0, 2, 3);
                kernel.attach(scope);
                NDArray in = stride == 1 ? x : spread(x, scope);
                if (lead > 0 || tail > 0) {
                    in = in.pad(new Shape(lead, tail, lead, tail), 0);
                    in.attach(scope);
                }
                NDArray y = Conv2d.conv2d(in, kernel, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
                y.attach(x.getManager());
                return new NDList(y);
            }
        }

        /** (N, C, H, W) → (N, C, 2H, 2W) with the input at even rows and columns, zeros elsewhere. */
        private static NDArray spread(NDArray x, NDManager scope) {
            Shape s = x.getShape();
            NDArray zeros = x.zerosLike();
            zeros.attach(scope);
            NDArray rows = NDArrays.stack(new NDList(x, zeros), 4).reshape(s.get(0), s.get(1), s.get(2), 2 * s.get(3));
            rows.attach(scope);
            NDArray gaps = rows.zerosLike();
            gaps.attach(scope);
            NDArray out = NDArrays.stack(new NDList(rows, gaps), 3).reshape(s.get(0), s.get(1), 2 * s.get(2), 2 * s.get(3));
            out.attach(scope);
            return out;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            Shape s = in[0];
            long h = (s.get(2) - 1) * stride - 2L * padding + 4, w = (s.get(3) - 1) * stride - 2L * padding + 4;
            return new Shape[] {new Shape(s.get(0), out, h, w)};
        }
    }

    private static NDList step(Block b, ParameterStore store, NDList x, boolean training, PairList<String, Object> params) {
        return b.forward(store, x, training, params);
    }

    /** Forwards, then frees the input, which was an intermediate of the caller's. */
    private static NDList step(Block b, ParameterStore store, NDList x, boolean training, PairList<String, Object> params,
                               boolean freeInput) {
        NDList y = b.forward(store, x, training, params);
        if (freeInput) {
            x.close();
        }
        return y;
    }

    private static NDList relu(NDList x) {
        NDArray y = Activation.relu(x.singletonOrThrow());
        x.close();
        return new NDList(y);
    }
}
