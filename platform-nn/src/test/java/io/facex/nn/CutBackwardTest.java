package io.facex.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CutBackwardTest {

    /** conv, BN, PReLU, then a residual conv-BN-PReLU-conv-BN: MobileFaceNet's pattern, small. */
    private static Sequence net(boolean channelsLast, boolean cut) {
        Sequence s = new Sequence();
        if (cut) {
            s.cutAtPrelu();
        }
        if (channelsLast) {
            s.add("channels_last", new ChannelsLast());
        }
        return s.add("conv", Torch.conv(6, 3, 3, 1, 1, 1, false))
                .add("bn", Torch.batchNorm())
                .add("prelu", new ChannelPrelu(6))
                .add("block", new Sequence(true)
                        .add("conv", Torch.conv(6, 1, 1, 1, 0, 1, false))
                        .add("bn", Torch.batchNorm())
                        .add("prelu", new ChannelPrelu(6))
                        .add("project", Torch.conv(6, 3, 3, 1, 1, 6, false)))
                .add("prelu2", new ChannelPrelu(6));
    }

    /** The input's gradient and every parameter's, after one backward of sum(out * weights). */
    private static int lastCuts;
    private static int lastFused;

    private static Map<String, float[]> gradients(Block net, boolean cut, float[] input, Shape shape, long seed) {
        return gradients(net, cut, input, shape, seed, -0.3);
    }

    /** Slopes drawn from [shift, shift + 1): some negative at -0.3, all positive at 0.1. */
    private static Map<String, float[]> gradients(Block net, boolean cut, float[] input, Shape shape, long seed, double shift) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) seed);
            net.initialize(m, DataType.FLOAT32, shape);
            Random r = new Random(seed);
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray a = p.getValue().getArray();
                float[] v = new float[(int) a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = p.getKey().endsWith("weight") && p.getKey().contains("prelu") ? (float) (r.nextDouble() + shift) : (float) r.nextGaussian() * 0.5f;
                }
                a.set(v);
            }
            NDArray x = m.create(input, shape);
            x.setRequiresGradient(true);
            Supplier<CutBackward> cuts = () -> cut ? CutBackward.open() : null;
            try (CutBackward c = cuts.get(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = net.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                float[] wv = new float[(int) y.size()];
                for (int i = 0; i < wv.length; i++) {
                    wv[i] = (float) r.nextGaussian();
                }
                NDArray loss = y.mul(m.create(wv, y.getShape())).sum();
                if (c == null) {
                    gc.backward(loss);
                    lastCuts = 0;
                } else {
                    lastCuts = c.recorded();
                    lastFused = c.fused();
                    c.backward(gc, loss);
                }
            }
            out.put("input", x.getGradient().toFloatArray());
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray a = p.getValue().getArray();
                if (a.hasGradient()) {
                    out.put(p.getKey(), a.getGradient().toFloatArray());
                } else {
                    out.put(p.getKey() + " (value)", a.toFloatArray()); // batch norm's running statistics
                }
            }
        }
        return out;
    }

    static <T> T withoutFusedBatchNorm(Supplier<T> run) {
        String before = System.getProperty(CutBackward.FUSE_BATCH_NORM);
        System.setProperty(CutBackward.FUSE_BATCH_NORM, "false");
        try {
            return run.get();
        } finally {
            if (before == null) {
                System.clearProperty(CutBackward.FUSE_BATCH_NORM);
            } else {
                System.setProperty(CutBackward.FUSE_BATCH_NORM, before);
            }
        }
    }

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        v[0] = 0f;
        v[1] = -0f;
        return v;
    }

    private static void assertSameGradients(Map<String, float[]> want, Map<String, float[]> got) {
        assertEquals(want.keySet(), got.keySet());
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            float[] a = e.getValue();
            float[] b = got.get(e.getKey());
            float scale = 0f;
            for (float v : a) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0f, e.getKey() + " has no gradient");
            assertArrayEquals(a, b, scale * 1e-5f, e.getKey());
        }
    }

    @Test
    void canCut() {
        assertTrue(CutBackward.available());
    }

    @Test
    void cutGradientsEqualAutogradsInBothLayouts() {
        Shape shape = new Shape(3, 2, 9, 7);
        float[] input = gaussian((int) shape.size(), 11);
        for (boolean channelsLast : new boolean[] {true, false}) {
            for (double shift : new double[] {-0.3, 0.1}) {
                Map<String, float[]> plain = gradients(net(channelsLast, false), false, input, shape, 5, shift);
                Map<String, float[]> unfused = withoutFusedBatchNorm(() -> gradients(net(channelsLast, true), true, input, shape, 5, shift));
                assertEquals(4, lastCuts, "three PReLUs and one residual input");
                assertEquals(0, lastFused);
                Map<String, float[]> fused = gradients(net(channelsLast, true), true, input, shape, 5, shift);
                assertEquals(4, lastCuts);
                assertEquals(2, lastFused, "each batch norm and the PReLU after it are one cut, by default");
                assertSameGradients(plain, fused);
                // libtorch's own kernels but for PReLU's slopes, summed in another order: the input's gradient
                // and the running statistics are autograd's bit for bit.
                assertBitsEqual(plain.get("input"), fused.get("input"), "input");
                for (String k : plain.keySet()) {
                    if (k.endsWith("(value)")) {
                        assertBitsEqual(plain.get(k), fused.get(k), k);
                    }
                }
                // The fused cut recomputes the batch norm's output bit for bit, so fusing changes no number at all.
                assertEquals(unfused.keySet(), fused.keySet());
                for (String k : unfused.keySet()) {
                    assertBitsEqual(unfused.get(k), fused.get(k), k + (channelsLast ? ", channels last" : ", channels first"));
                }
            }
        }
    }

    private static void assertBitsEqual(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            int w = Float.floatToRawIntBits(want[i]);
            int g = Float.floatToRawIntBits(got[i]);
            // Up to the sign of zero, as the PReLU kernel test allows.
            if (w != g && !(want[i] == 0f && got[i] == 0f)) {
                throw new AssertionError(what + " differs at " + i + ": " + want[i] + " against " + got[i]);
            }
        }
    }

    /** Without an open CutBackward, or in a sequence that did not ask, nothing is cut and nothing changes. */
    @Test
    void nothingIsCutUnlessBothAsk() {
        Shape shape = new Shape(2, 2, 5, 5);
        float[] input = gaussian((int) shape.size(), 3);
        Map<String, float[]> plain = gradients(net(true, false), false, input, shape, 9);
        assertSameGradients(plain, gradients(net(true, false), true, input, shape, 9));
        assertEquals(0, lastCuts);
        assertSameGradients(plain, gradients(net(true, true), false, input, shape, 9));
    }

    /** The input gradient is libtorch's element for element, the slope gradient the same sum, on a 2-D input too. */
    @Test
    void preluBackwardMatchesLibtorchsKernel() {
        int n = 700;
        int c = 5;
        float[] xs = gaussian(n * c, 21);
        float[] gs = gaussian(n * c, 22);
        float[] a = {0.25f, -0.5f, 1.5f, 0f, 3e-3f};
        float[][] viaTorch = preluGradients(xs, gs, a, new Shape(n, c), false);
        float[][] viaCut = preluGradients(xs, gs, a, new Shape(n, c), true);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToIntBits(viaTorch[0][i]) & 0x7fffffff, Float.floatToIntBits(viaCut[0][i]) & 0x7fffffff, "x[" + i + "]");
        }
        assertArrayEquals(viaTorch[1], viaCut[1], 1e-4f);
    }

    private static float[][] preluGradients(float[] xs, float[] gs, float[] a, Shape shape, boolean cut) {
        ChannelPrelu prelu = new ChannelPrelu(a.length);
        Sequence net = new Sequence().add("prelu", prelu);
        if (cut) {
            net.cutAtPrelu();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, shape);
            prelu.getParameters().get("weight").getArray().set(a);
            NDArray x = m.create(xs, shape);
            x.setRequiresGradient(true);
            try (CutBackward c = CutBackward.open(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = net.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                c.backward(gc, y.mul(m.create(gs, shape)).sum());
            }
            return new float[][] {x.getGradient().toFloatArray(), prelu.getParameters().get("weight").getArray().getGradient().toFloatArray()};
        }
    }

    /** The kernel on its own, over several threads and uneven parts, against the definition. */
    @Test
    void kernelFollowsTheDefinitionOnEveryThreadCount() {
        int rows = 1031;
        int c = 7;
        float[] xs = gaussian(rows * c, 31);
        float[] gs = gaussian(rows * c, 32);
        float[] w = {0.25f, -0.5f, 1.5f, 0f, 3e-3f, 2f, -1f};
        double[] want = new double[c];
        float[] wantGx = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            int ch = i % c;
            wantGx[i] = xs[i] > 0 ? gs[i] : w[ch] * gs[i];
            want[ch] += xs[i] > 0 ? 0 : (double) xs[i] * gs[i];
        }
        for (int threads : new int[] {1, 2, 3}) {
            java.nio.FloatBuffer g = java.nio.FloatBuffer.wrap(gs.clone());
            float[] dw = PreluBackward.channelsLast(java.nio.FloatBuffer.wrap(xs), g, w, rows, threads);
            assertArrayEquals(wantGx, g.array(), 0f, threads + " threads");
            for (int k = 0; k < c; k++) {
                assertEquals(want[k], dw[k], 1e-4, "channel " + k);
            }
            // The same values read as NCHW: 1031 * 7 = 7217 = 7 * 1031, so one image of 7 planes of 1031.
            double[] wantPlanes = new double[c];
            float[] wantPlaneGx = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                int ch = (i / rows) % c;
                wantPlaneGx[i] = xs[i] > 0 ? gs[i] : w[ch] * gs[i];
                wantPlanes[ch] += xs[i] > 0 ? 0 : (double) xs[i] * gs[i];
            }
            g = java.nio.FloatBuffer.wrap(gs.clone());
            dw = PreluBackward.channelsFirst(java.nio.FloatBuffer.wrap(xs), g, w, c, rows, threads);
            assertArrayEquals(wantPlaneGx, g.array(), 0f, threads + " threads, planes");
            for (int k = 0; k < c; k++) {
                assertEquals(wantPlanes[k], dw[k], 1e-4, "plane channel " + k);
            }
        }
    }
}
