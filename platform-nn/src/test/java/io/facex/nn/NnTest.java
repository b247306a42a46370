package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NnTest {

    @Test
    void torchNamesFromDjlPaths() {
        assertEquals("conv1.conv.weight", TorchNames.toTorch("01conv1_01conv_weight"));
        assertEquals("conv1.bn.weight", TorchNames.toTorch("01conv1_02bn_gamma"));
        assertEquals("conv_23.conv_dw.bn.running_var", TorchNames.toTorch("03conv_23_02conv_dw_02bn_runningVar"));
        assertEquals("conv_3.model.0.project.bn.bias", TorchNames.toTorch("04conv_3_01model_010_03project_02bn_beta"));
        assertEquals("conv_3.model.3.conv.prelu.weight", TorchNames.toTorch("04conv_3_01model_043_01conv_03prelu_weight"));
        assertEquals("linear.weight", TorchNames.toTorch("12linear_weight"));
    }

    /** A parameter whose own name holds an underscore (SST's label_list) keeps it, given the name. */
    @Test
    void aParameterNameMayHoldAnUnderscore() {
        assertEquals("label_list", TorchNames.toTorch("label_list", "label_list"));
        assertEquals("head.label_list", TorchNames.toTorch("01head_label_list", "label_list"));
        assertEquals("conv1.bn.weight", TorchNames.toTorch("01conv1_02bn_gamma", "gamma"));
        assertEquals("conv_23.conv_dw.bn.running_var", TorchNames.toTorch("03conv_23_02conv_dw_02bn_runningVar", "runningVar"));
    }

    /** EfficientNet's modules are private attributes: {@code _conv_stem}, {@code _blocks.0._bn1}. */
    @Test
    void torchNamesMayBeginWithAnUnderscore() {
        assertEquals("_conv_stem.weight", TorchNames.toTorch("01_conv_stem_weight"));
        assertEquals("_bn0.running_mean", TorchNames.toTorch("02_bn0_runningMean"));
        assertEquals("_blocks.0._expand_conv.weight", TorchNames.toTorch("04_blocks_010_01_expand_conv_weight"));
        assertEquals("_blocks.12._se_reduce.bias", TorchNames.toTorch("04_blocks_1312_07_se_reduce_bias"));
        assertEquals("_blocks.3._bn2.running_var", TorchNames.toTorch("04_blocks_043_10_bn2_runningVar"));
        assertEquals("_fc.weight", TorchNames.toTorch("09_fc_weight"));
        assertEquals("output_layer.3.bias", TorchNames.toTorch("10output_layer_043_bias"));
    }

    @Test
    void swishIsXTimesSigmoidX() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {-2, 0, 1.5f});
            NDArray y = Torch.swish().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            float[] out = y.toFloatArray();
            float[] in = {-2, 0, 1.5f};
            for (int i = 0; i < in.length; i++) {
                assertEquals(in[i] / (1 + Math.exp(-in[i])), out[i], 1e-6);
            }
        }
    }

    @Test
    void channelPreluHasOneSlopePerChannel() {
        ChannelPrelu prelu = new ChannelPrelu(2);
        try (NDManager m = NDManager.newBaseManager()) {
            prelu.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 2));
            prelu.getParameters().get("weight").getArray().set(new float[] {0.25f, 0.5f});
            NDArray x = m.create(new float[] {-4, 2, -4, 3}, new Shape(1, 2, 1, 2));
            NDArray y = prelu.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertArrayEquals(new float[] {-1, 2, -2, 3}, y.toFloatArray());
        }
    }

    /** The same values in NHWC storage; a vector, or anything inside {@code plain}, untouched. */
    @Test
    void channelsLastKeepsTheValuesAndStoresThemNhwc() throws ReflectiveOperationException {
        int n = 2, c = 3, h = 2, w = 2;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(0f, n * c * h * w).reshape(n, c, h, w);
            NDArray y = ChannelsLast.of(x);
            assertArrayEquals(x.toFloatArray(), y.toFloatArray());
            assertTrue(contiguous(x));
            assertFalse(contiguous(y), "stored NHWC, so no longer contiguous in NCHW order");
            NDArray v = m.arange(0f, 6f);
            org.junit.jupiter.api.Assertions.assertSame(v, ChannelsLast.of(v));
            org.junit.jupiter.api.Assertions.assertSame(x, ChannelsLast.plain(() -> ChannelsLast.of(x)));
        }
    }

    /** libtorch's {@code is_contiguous()}, which DJL's engine keeps to itself. */
    private static boolean contiguous(NDArray a) throws ReflectiveOperationException {
        Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
        java.lang.reflect.Field instance = lib.getDeclaredField("LIB");
        instance.setAccessible(true);
        java.lang.reflect.Method call = lib.getDeclaredMethod("torchIsContiguous", long.class);
        call.setAccessible(true);
        return (boolean) call.invoke(instance.get(null), ((ai.djl.pytorch.engine.PtNDArray) a).getHandle());
    }

    /** Forward and both gradients against torch.nn.functional.prelu's definition, on a random 4-d batch. */
    @Test
    void channelPreluGradientsFollowPyTorch() {
        int n = 2, c = 3, h = 4, w = 5;
        java.util.Random r = new java.util.Random(7);
        float[] xs = new float[n * c * h * w];
        float[] gs = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextGaussian();
            gs[i] = (float) r.nextGaussian();
        }
        float[] a = {0.25f, -0.5f, 1.5f};
        float[] y = new float[xs.length], dx = new float[xs.length];
        float[] da = new float[c];
        for (int i = 0; i < xs.length; i++) {
            int ch = (i / (h * w)) % c;
            y[i] = xs[i] > 0 ? xs[i] : a[ch] * xs[i];
            dx[i] = xs[i] > 0 ? gs[i] : a[ch] * gs[i];
            da[ch] += xs[i] > 0 ? 0 : xs[i] * gs[i];
        }
        ChannelPrelu prelu = new ChannelPrelu(c);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(n, c, h, w);
            prelu.initialize(m, DataType.FLOAT32, shape);
            prelu.getParameters().get("weight").getArray().set(a);
            NDArray x = m.create(xs, shape);
            x.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray out = prelu.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                assertArrayEquals(y, out.toFloatArray(), 1e-6f);
                gc.backward(out.mul(m.create(gs, shape)).sum());
            }
            assertArrayEquals(dx, x.getGradient().toFloatArray(), 1e-5f);
            assertArrayEquals(da, prelu.getParameters().get("weight").getArray().getGradient().toFloatArray(), 1e-4f);
        }
    }

    @Test
    void residualSequenceAddsItsInput() {
        Sequence s = new Sequence(true).add("prelu", new ChannelPrelu(1));
        try (NDManager m = NDManager.newBaseManager()) {
            s.initialize(m, DataType.FLOAT32, new Shape(1, 1, 2));
            NDArray x = m.create(new float[] {-4, 2}, new Shape(1, 1, 2));
            NDArray y = s.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertArrayEquals(new float[] {-5, 4}, y.toFloatArray());
        }
    }
}
