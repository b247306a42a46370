package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * A training step's backward pass, cut at the per-channel PReLUs of the sequences that allow it
 * ({@link Sequence#cutAtPrelu()}), so that PReLU's backward runs as {@link PreluBackward}'s one pass
 * instead of libtorch's kernel. DJL cannot give autograd a backward of our own, so the graph is split
 * instead: a PReLU's output becomes a new leaf; autograd brings the loss's gradient down to it, this
 * class turns that into the gradient of the PReLU's input and hands it to autograd again, cut by cut,
 * latest first.
 *
 * <p>Splitting is only sound where every tensor that two consumers read is itself a cut, or one
 * consumer's backward would walk into a part of the graph that another backward already freed
 * (libtorch refuses that; it never sums wrongly). The inputs of a residual {@link Sequence}, of
 * {@link Branches} and of {@link SqueezeExcite} are therefore cuts too, and a sequence whose blocks
 * branch any other way must not ask for cuts.
 *
 * <pre>{@code
 * try (CutBackward cuts = CutBackward.open(); GradientCollector gc = engine.newGradientCollector()) {
 *     NDArray loss = ...;  // forward
 *     cuts.backward(gc, loss);
 * }
 * }</pre>
 *
 * <p>Memory is at most what autograd would keep: a lone PReLU's cut holds its input, as libtorch's PReLU
 * node would; a batch norm followed by a PReLU is one cut that holds only the batch norm's input
 * ({@link #batchNormPrelu}); the PReLU's input gradient is written over its output gradient, and no
 * full-size slope gradient is ever allocated.
 */
public final class CutBackward implements AutoCloseable {

    /**
     * The system property that turns {@link #batchNormPrelu} off ({@code false}; on otherwise). Fused or
     * not, a training step's numbers are the same bit for bit ({@code CutBackwardTest}): the fused cut
     * recomputes the batch norm's output instead of keeping it, as libtorch computed it. The switch is
     * there to measure the memory it saves.
     */
    public static final String FUSE_BATCH_NORM = "facex.nn.fuse_batch_norm";

    private static final ThreadLocal<CutBackward> OPEN = new ThreadLocal<>();

    private final CutBackward outer;
    private final Deque<Cut> cuts = new ArrayDeque<>();
    private int recording;
    private int recorded;
    private int fused;

    private CutBackward(CutBackward outer) {
        this.outer = outer;
    }

    /** Opens a step's cuts on this thread; a sequence that allows cuts records them until {@link #close()}. */
    public static CutBackward open() {
        CutBackward c = new CutBackward(OPEN.get());
        OPEN.set(c);
        return c;
    }

    /** Whether this JVM can cut (DJL's PyTorch engine, with the probe this class needs). */
    public static boolean available() {
        return Probe.IS_CONTIGUOUS != null;
    }

    /** How many cuts the forward passes made so far. */
    public int recorded() {
        return recorded;
    }

    /** How many of them were batch norm and PReLU as one. */
    int fused() {
        return fused;
    }

    /** {@code gc.backward(loss)}, then the recorded cuts, latest first. */
    public void backward(GradientCollector gc, NDArray loss) {
        gc.backward(loss);
        while (!cuts.isEmpty()) {
            try (Cut c = cuts.pop()) {
                c.backward();
            }
        }
    }

    @Override
    public void close() {
        while (!cuts.isEmpty()) {
            cuts.pop().close();
        }
        if (OPEN.get() == this) {
            if (outer == null) {
                OPEN.remove();
            } else {
                OPEN.set(outer);
            }
        }
    }

    /** Runs a forward pass during which this thread's open cuts (if any) record. */
    static <T> T recording(Supplier<T> pass) {
        CutBackward c = OPEN.get();
        if (c == null || Probe.IS_CONTIGUOUS == null) {
            return pass.get();
        }
        c.recording++;
        try {
            return pass.get();
        } finally {
            c.recording--;
        }
    }

    private static CutBackward recorder(NDArray x) {
        CutBackward c = OPEN.get();
        return c != null && c.recording > 0 && x instanceof PtNDArray p && inGraph(p) ? c : null;
    }

    /** Whether autograd tracks {@code x}: DJL's {@code hasGradient()} answers for leaves only. */
    private static boolean inGraph(PtNDArray x) {
        return x.hasGradient() || !JniUtils.getGradientFunctionNames(x).isEmpty();
    }

    /**
     * PReLU's output as a cut, or null when this pass does not record or the input's layout is not one
     * {@link PreluBackward} reads (the caller then runs PReLU under autograd as usual).
     *
     * @param forward PReLU on detached arrays
     */
    static NDArray prelu(NDArray x, NDArray slope, BinaryOperator<NDArray> forward) {
        CutBackward c = recorder(x);
        Layout layout = c == null || slope.getShape().size() != x.getShape().get(1) ? null : Layout.of(x);
        if (layout == null) {
            return null;
        }
        NDArray y;
        try (NDArray xd = x.stopGradient(); NDArray sd = slope.stopGradient()) {
            y = forward.apply(xd, sd);
        }
        return c.record(new PreluCut(x, slope, y, layout));
    }

    /**
     * Training-mode batch norm and PReLU as one cut, or null when this pass does not record or this
     * libtorch's batch norm cannot be recomputed exactly (then the two run as usual, PReLU as its own
     * cut). Keeps only the batch norm's input (which autograd keeps too) and the PReLU's output (which
     * the next layer keeps): the batch norm's output, a third of such a unit's activations,
     * is never held, as in in-place activated batch norm. PReLU's backward recomputes it tile by tile from
     * the input and the saved statistics ({@link PreluBackward.Affine}), bit for bit, so its gradients are
     * those of the unfused cut; batch norm's runs as libtorch's own kernel ({@code batch_norm_backward.pt})
     * from the statistics the forward pass saved ({@code batch_norm_prelu.pt}), as autograd would.
     */
    static NDArray batchNormPrelu(ParameterStore store, BatchNorm bn, ChannelPrelu prelu, NDArray x, PairList<String, Object> params) {
        if ("false".equalsIgnoreCase(System.getProperty(FUSE_BATCH_NORM))) {
            return null;
        }
        CutBackward c = recorder(x);
        if (c == null || !Recompute.EXACT) {
            return null;
        }
        double[] settings = BnProbe.settings(bn);
        Layout layout = settings == null ? null : Layout.of(x);
        if (layout == null) {
            return null;
        }
        Map<String, NDArray> p = new java.util.HashMap<>();
        for (Pair<String, Parameter> e : bn.getParameters()) {
            p.put(e.getKey(), store.getValue(e.getValue(), x.getDevice(), true));
        }
        NDArray slope = prelu.slope(store, x);
        long channels = x.getShape().get(1);
        if (p.size() != 4 || !p.keySet().containsAll(List.of("gamma", "beta", "runningMean", "runningVar"))
                || slope.getShape().size() != channels || p.get("gamma").getShape().size() != channels) {
            return null;
        }
        float[] w;
        try (NDArray sd = slope.stopGradient()) {
            w = sd.toFloatArray();
        }
        NDManager m = x.getManager();
        NDList out;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDArray momentum = m.create(settings[0]); NDArray eps = m.create(settings[1])) {
            out = TorchScripts.get("batch_norm_prelu.pt", x.getDevice()).forward(store, new NDList(
                    ChannelPrelu.positional(x, x), ChannelPrelu.positional(p.get("gamma"), x), ChannelPrelu.positional(p.get("beta"), x),
                    ChannelPrelu.positional(p.get("runningMean"), x), ChannelPrelu.positional(p.get("runningVar"), x),
                    ChannelPrelu.positional(slope, x), momentum, eps), true);
        } finally {
            JniUtils.setGradMode(grad);
        }
        c.fused++;
        return c.record(new BatchNormPreluCut(x, p, slope, w, settings[1], out.get(0), out.get(1), out.get(2), layout));
    }

    /**
     * A tensor that several blocks read (a residual input, {@link Branches}' and {@link SqueezeExcite}'s
     * input) as a cut: a view of a new leaf for all its readers, or {@code x} itself when not recording.
     * The caller closes the view when its readers are done.
     */
    static NDArray fork(NDArray x) {
        CutBackward c = recorder(x);
        if (c == null) {
            return x;
        }
        return c.record(new ForkCut(x, x.stopGradient()));
    }

    /** Pushes a cut and hands the caller a view of its leaf: the caller's sequence closes what it is handed once consumed. */
    private NDArray record(Cut cut) {
        recorded++;
        cuts.push(cut);
        return cut.y.reshape(cut.y.getShape());
    }

    /**
     * Where autograd is resumed ({@code x}, a view of the tensor before the cut) and the new leaf after it
     * ({@code y}), which the cut owns.
     */
    private abstract static class Cut implements AutoCloseable {
        final NDArray x;
        final NDArray y;

        Cut(NDArray before, NDArray after) {
            this.x = before.reshape(before.getShape());
            this.y = after;
            y.setRequiresGradient(true);
        }

        abstract void backward();

        @Override
        public void close() {
            x.close();
            y.close();
        }
    }

    private static final class ForkCut extends Cut {
        ForkCut(NDArray before, NDArray leaf) {
            super(before, leaf);
        }

        @Override
        void backward() {
            try (NDArray g = y.getGradient()) {
                y.close();
                JniUtils.backward((PtNDArray) x, (PtNDArray) g, false, false);
            }
        }
    }

    private static final class PreluCut extends Cut {
        private final NDArray slope;
        private final Layout layout;

        PreluCut(NDArray x, NDArray slope, NDArray y, Layout layout) {
            super(x, y);
            this.slope = slope;
            this.layout = layout;
        }

        @Override
        void backward() {
            NDArray g = y.getGradient();
            // From here on only the gradient is needed: the output's memory goes now, not after the backward below.
            y.close();
            try (g; NDArray xd = x.stopGradient(); NDArray sd = slope.stopGradient();
                 NDArray xm = layout.packed(xd); NDArray gm = layout.packed(g);
                 NDArray gradIn = layout.fromMemoryOrder(gm, x.getShape())) {
                float[] dw = layout.run(buffer(xm), buffer(gm), sd.toFloatArray(), x.getShape(), JniUtils.getNumThreads());
                JniUtils.backward((PtNDArray) x, (PtNDArray) gradIn, false, false);
                accumulate(slope, dw);
            }
        }
    }

    private static final class BatchNormPreluCut extends Cut {
        private final Map<String, NDArray> bn;
        private final NDArray slope;
        private final float[] w;
        private final double eps;
        private final NDArray mean;
        private final NDArray invstd;
        private final Layout layout;

        BatchNormPreluCut(NDArray x, Map<String, NDArray> bn, NDArray slope, float[] w, double eps, NDArray y,
                          NDArray mean, NDArray invstd, Layout layout) {
            super(x, y);
            this.bn = bn;
            this.slope = slope;
            this.w = w;
            this.eps = eps;
            this.mean = mean;
            this.invstd = invstd;
            this.layout = layout;
        }

        @Override
        void backward() {
            Shape shape = y.getShape();
            NDList grads;
            float[] dw;
            // Each tensor is let go as soon as it has been read, so that the backward below runs with only
            // the gradient it is given alive, as autograd's would.
            NDArray grad = y.getGradient();
            // Only the gradient is needed from here on: the output's memory goes now.
            y.close();
            try (NDArray g = grad; NDArray gm = layout.packed(g); NDArray gradOut = layout.fromMemoryOrder(gm, shape);
                 NDArray xd = x.stopGradient()) {
                try (NDArray xm = layout.packed(xd)) {
                    // PReLU's backward on the batch norm's output recomputed from its input, over the gradient
                    // in place: the batch norm's output gradient.
                    dw = layout.run(buffer(xm), affine(), buffer(gm), w, shape, JniUtils.getNumThreads());
                }
                try (NDArray gamma = bn.get("gamma").stopGradient(); NDArray epsArray = x.getManager().create(eps)) {
                    grads = TorchScripts.get("batch_norm_backward.pt", x.getDevice()).forward(new ParameterStore(x.getManager(), false),
                            new NDList(gradOut, xd, gamma, bn.get("runningMean"), bn.get("runningVar"), mean, invstd, epsArray), true);
                }
            }
            try (NDArray gx = grads.get(0); NDArray dgamma = grads.get(1); NDArray dbeta = grads.get(2)) {
                JniUtils.backward((PtNDArray) x, (PtNDArray) gx, false, false);
                JniUtils.backward((PtNDArray) bn.get("gamma"), (PtNDArray) dgamma, false, false);
                JniUtils.backward((PtNDArray) bn.get("beta"), (PtNDArray) dbeta, false, false);
            }
            accumulate(slope, dw);
        }

        private PreluBackward.Affine affine() {
            try (NDArray gamma = bn.get("gamma").stopGradient(); NDArray beta = bn.get("beta").stopGradient()) {
                return PreluBackward.Affine.of(gamma.toFloatArray(), beta.toFloatArray(), mean.toFloatArray(), invstd.toFloatArray());
            }
        }

        @Override
        public void close() {
            super.close();
            mean.close();
            invstd.close();
        }
    }

    private static final Staging STAGING = new Staging();

    /**
     * Adds {@code grad} to a parameter's gradient, through autograd so that an unset one is created. The
     * tensor handed over owns its memory: autograd may keep a tensor it is given as the gradient itself,
     * and one over a Java buffer ({@code create(float[])}) lives only as long as the garbage collector
     * lets the buffer live.
     */
    private static void accumulate(NDArray leaf, float[] grad) {
        try (NDArray g = STAGING.floats(leaf.getManager(), grad, 0, leaf.getShape())) {
            JniUtils.backward((PtNDArray) leaf, (PtNDArray) g, false, false);
        }
    }

    /** How a PReLU input's channels lie in memory. */
    private enum Layout {
        /** (N, C): channels innermost. */
        ROWS,
        /** (N, C, H, W) stored NHWC. */
        CHANNELS_LAST,
        /** (N, C, ...) stored as declared. */
        CHANNELS_FIRST;

        static Layout of(NDArray x) {
            Shape s = x.getShape();
            if (x.getDataType() != DataType.FLOAT32 || s.dimension() < 2 || s.size() * Float.BYTES > Integer.MAX_VALUE) {
                return null;
            }
            if (s.dimension() == 2) {
                return isContiguous(x) ? ROWS : null;
            }
            if (s.dimension() == 4) {
                try (NDArray nhwc = x.transpose(0, 2, 3, 1)) {
                    if (isContiguous(nhwc)) {
                        return CHANNELS_LAST;
                    }
                }
            }
            return isContiguous(x) ? CHANNELS_FIRST : null;
        }

        /** A view whose logical order is the memory order. */
        NDArray memoryOrder(NDArray a) {
            return this == CHANNELS_LAST ? a.transpose(0, 2, 3, 1) : a.reshape(a.getShape());
        }

        /** {@link #memoryOrder}, copied into a contiguous tensor when the view is not one (reshape copies then). */
        NDArray packed(NDArray a) {
            NDArray view = memoryOrder(a);
            if (isContiguous(view)) {
                return view;
            }
            try (view) {
                NDArray flat = view.reshape(-1);
                try (flat) {
                    return flat.reshape(view.getShape());
                }
            }
        }

        /** The inverse of {@link #memoryOrder}: a view of {@code a} in the declared shape. */
        NDArray fromMemoryOrder(NDArray a, Shape declared) {
            return this == CHANNELS_LAST ? a.transpose(0, 3, 1, 2) : a.reshape(declared);
        }

        float[] run(FloatBuffer x, FloatBuffer g, float[] w, Shape shape, int threads) {
            return run(x, null, g, w, shape, threads);
        }

        float[] run(FloatBuffer x, PreluBackward.Affine affine, FloatBuffer g, float[] w, Shape shape, int threads) {
            long n = shape.get(0);
            long c = shape.get(1);
            long plane = shape.size() / (n * c);
            return this == CHANNELS_FIRST
                    ? PreluBackward.channelsFirst(x, affine, g, w, n * c, (int) plane, threads)
                    : PreluBackward.channelsLast(x, affine, g, w, n * plane, threads);
        }
    }

    private static FloatBuffer buffer(NDArray a) {
        ByteBuffer b = JniUtils.getByteBuffer((PtNDArray) a, true);
        if (!b.isDirect()) {
            throw new IllegalStateException("libtorch handed a copy of a contiguous tensor");
        }
        return b.asFloatBuffer();
    }

    /** {@code Tensor.is_contiguous()}: DJL's engine calls it but keeps it package-private. */
    static boolean isContiguous(NDArray a) {
        try {
            return (boolean) Probe.IS_CONTIGUOUS.invoke(Probe.LIB, ((PtNDArray) a).getHandle());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot ask libtorch whether a tensor is contiguous", e);
        }
    }

    /**
     * Whether {@link PreluBackward.Affine} gives this libtorch's batch-norm output bit for bit, checked
     * once on both layouts (its kernel is built per CPU capability; one built without fused multiply-adds
     * would round otherwise, and then nothing is fused).
     */
    private static final class Recompute {
        static final boolean EXACT = check();

        private static boolean check() {
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDManager m = NDManager.newBaseManager()) {
                java.util.Random r = new java.util.Random(7);
                int channels = 19;
                Shape shape = new Shape(3, channels, 5, 7);
                float[] v = new float[(int) shape.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * 3 + 0.5);
                }
                float[] gamma = new float[channels];
                float[] beta = new float[channels];
                for (int c = 0; c < channels; c++) {
                    gamma[c] = (float) r.nextGaussian();
                    beta[c] = (float) r.nextGaussian();
                }
                for (boolean last : new boolean[] {true, false}) {
                    NDArray x = m.create(v, shape);
                    if (last) {
                        x = TorchScripts.get("channels_last.pt", x.getDevice()).forward(new ParameterStore(m, false), new NDList(x), false)
                                .singletonOrThrow();
                    }
                    // A slope of 1 makes PReLU the identity, bit for bit: the module's output is the batch norm's.
                    NDList out = TorchScripts.get("batch_norm_prelu.pt", x.getDevice()).forward(new ParameterStore(m, false), new NDList(
                            x, m.create(gamma), m.create(beta), m.zeros(new Shape(channels)), m.ones(new Shape(channels)),
                            m.ones(new Shape(channels)), m.create(0.1), m.create(1e-5)), false);
                    Layout layout = Layout.of(x);
                    if (layout != (last ? Layout.CHANNELS_LAST : Layout.CHANNELS_FIRST)) {
                        return false;
                    }
                    float[] want = layout.memoryOrder(out.get(0)).toFloatArray();
                    float[] got = layout.memoryOrder(x).toFloatArray();
                    PreluBackward.Affine a = PreluBackward.Affine.of(gamma, beta, out.get(1).toFloatArray(), out.get(2).toFloatArray());
                    long plane = last ? 1 : shape.get(2) * shape.get(3);
                    float[] scale = new float[got.length];
                    float[] shift = new float[got.length];
                    for (int i = 0; i < got.length; i++) {
                        int c = (int) (last ? i % channels : (i / plane) % channels);
                        scale[i] = a.scale()[c];
                        shift[i] = a.shift()[c];
                    }
                    PreluBackward.Affine.apply(got, scale, shift, got.length);
                    for (int i = 0; i < got.length; i++) {
                        if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                            return false;
                        }
                    }
                }
                return true;
            } catch (RuntimeException e) {
                return false;
            } finally {
                JniUtils.setGradMode(grad);
            }
        }
    }

    /** DJL's batch norm keeps its settings private; read here, or null when this DJL's fields differ. */
    private static final class BnProbe {
        static final java.lang.reflect.Field EPSILON = field("epsilon");
        static final java.lang.reflect.Field MOMENTUM = field("momentum");
        static final java.lang.reflect.Field AXIS = field("axis");

        private static java.lang.reflect.Field field(String name) {
            try {
                java.lang.reflect.Field f = BatchNorm.class.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        /** PyTorch's momentum and epsilon, as DJL's engine hands them to libtorch ({@code 1f - momentum}, widened). */
        static double[] settings(BatchNorm bn) {
            if (EPSILON == null || MOMENTUM == null || AXIS == null) {
                return null;
            }
            try {
                return AXIS.getInt(bn) == 1 ? new double[] {1f - MOMENTUM.getFloat(bn), EPSILON.getFloat(bn)} : null;
            } catch (IllegalAccessException e) {
                return null;
            }
        }
    }

    /** The engine's native library object and its contiguity call, or nulls when this DJL has neither. */
    private static final class Probe {
        static final Object LIB;
        static final Method IS_CONTIGUOUS;

        static {
            Object lib = null;
            Method m = null;
            try {
                Class<?> c = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary", true, JniUtils.class.getClassLoader());
                java.lang.reflect.Field f = c.getDeclaredField("LIB");
                f.setAccessible(true);
                lib = f.get(null);
                m = c.getDeclaredMethod("torchIsContiguous", long.class);
                m.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                lib = null;
                m = null;
            }
            LIB = lib;
            IS_CONTIGUOUS = lib == null ? null : m;
        }
    }
}
