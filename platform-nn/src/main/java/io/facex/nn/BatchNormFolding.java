package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.util.List;

/**
 * Folds each BatchNorm into the convolution or linear layer before it, for inference: in eval mode
 * BN is the affine map y = γ(x − μ)/√(σ² + ε) + β per channel, so conv∘BN is one convolution with
 * weights w·s and bias β − μ·s (+ b·s), s = γ/√(σ² + ε). One op instead of two per layer, and one
 * activation less to write and read. The result equals the unfolded network up to float rounding
 * (the products are formed in double). Only pairs that are adjacent children of a {@link Sequence}
 * are folded; the folded block has no parameters, so it neither trains nor saves.
 */
public final class BatchNormFolding {

    private BatchNormFolding() {
    }

    /**
     * Folds every pair under {@code root}. Call after the weights are loaded and before the first
     * forward; the folded weights live in {@code manager}.
     *
     * @return how many BatchNorm layers were folded away
     */
    public static int fold(Block root, NDManager manager) {
        int folded = 0;
        if (root instanceof Sequence seq) {
            List<Pair<String, Block>> kids = seq.childList();
            for (int i = kids.size() - 2; i >= 0; i--) {
                Block a = kids.get(i).getValue();
                Block b = kids.get(i + 1).getValue();
                if (b instanceof BatchNorm bn && (a instanceof Conv2d || a instanceof Linear)) {
                    seq.fuse(i, folded(a, bn, manager));
                    folded++;
                }
            }
        }
        for (Block child : root.getChildren().values()) {
            folded += fold(child, manager);
        }
        return folded;
    }

    private static Block folded(Block layer, BatchNorm bn, NDManager manager) {
        float[] gamma = values(bn, "gamma");
        float[] beta = values(bn, "beta");
        float[] mean = values(bn, "runningMean");
        float[] var = values(bn, "runningVar");
        double eps = epsilon(bn);
        NDArray w = layer.getParameters().get("weight").getArray();
        Parameter biasParam = layer.getParameters().get("bias");
        float[] bias = biasParam == null || !biasParam.isInitialized() ? null : biasParam.getArray().toFloatArray();
        float[] weights = w.toFloatArray();
        int out = (int) w.getShape().get(0);
        if (gamma.length != out) {
            throw new IllegalStateException("BatchNorm of " + gamma.length + " channels after a layer of " + out);
        }
        int per = weights.length / out;
        float[] fw = new float[weights.length];
        float[] fb = new float[out];
        for (int o = 0; o < out; o++) {
            double s = gamma[o] / Math.sqrt(var[o] + eps);
            for (int k = 0; k < per; k++) {
                fw[o * per + k] = (float) (weights[o * per + k] * s);
            }
            fb[o] = (float) (beta[o] + ((bias == null ? 0 : bias[o]) - mean[o]) * s);
        }
        NDArray foldedWeight = manager.create(fw, w.getShape());
        NDArray foldedBias = manager.create(fb, new Shape(out));
        // the replaced layers leave the network: free their weights rather than hold the model twice
        layer.getParameters().values().forEach(Parameter::close);
        bn.getParameters().values().forEach(Parameter::close);
        return new Folded(layer, foldedWeight, foldedBias);
    }

    private static float[] values(BatchNorm bn, String name) {
        return bn.getParameters().get(name).getArray().toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** DJL keeps BatchNorm's ε private; read it so that folding uses the very ε the layer was built with. */
    private static double epsilon(BatchNorm bn) {
        try {
            java.lang.reflect.Field f = BatchNorm.class.getDeclaredField("epsilon");
            f.setAccessible(true);
            return f.getFloat(bn);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read BatchNorm's epsilon from this DJL version: " + e, e);
        }
    }

    /** A convolution or linear layer with its BatchNorm folded in: fixed weights and bias. */
    static final class Folded extends AbstractBlock {
        private final Block original;
        private final NDArray weight;
        private final NDArray bias;

        Folded(Block original, NDArray weight, NDArray bias) {
            super((byte) 1);
            this.original = original;
            this.weight = weight;
            this.bias = bias;
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            if (training) {
                throw new IllegalStateException("a BatchNorm-folded network is for inference only");
            }
            NDArray x = inputs.singletonOrThrow();
            if (original instanceof Conv2d c) {
                return Conv2d.conv2d(x, weight, bias, c.getStride(), c.getPadding(), c.getDilation(), c.getGroups());
            }
            return Linear.linear(x, weight, bias);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return original.getOutputShapes(inputShapes);
        }

        @Override
        public String toString() {
            return "Folded(" + original + " + BatchNorm)";
        }
    }
}
