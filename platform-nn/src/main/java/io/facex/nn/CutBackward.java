package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
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
 * <p>Memory is what autograd would keep: the PReLU's input (held here instead of by libtorch's PReLU
 * node); the input gradient is written over the output gradient, and no full-size slope gradient is
 * ever allocated.
 */
public final class CutBackward implements AutoCloseable {

    private static final ThreadLocal<CutBackward> OPEN = new ThreadLocal<>();

    private final CutBackward outer;
    private final Deque<Cut> cuts = new ArrayDeque<>();
    private int recording;
    private int recorded;

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
        y.setRequiresGradient(true);
        c.recorded++;
        c.cuts.push(new PreluCut(x.reshape(x.getShape()), slope, y, layout));
        // The caller's sequence closes what it is handed once consumed; the cut keeps y itself.
        return y.reshape(y.getShape());
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
        NDArray leaf = x.stopGradient();
        leaf.setRequiresGradient(true);
        c.recorded++;
        c.cuts.push(new ForkCut(x.reshape(x.getShape()), leaf));
        return leaf.reshape(leaf.getShape());
    }

    private abstract static class Cut implements AutoCloseable {
        abstract void backward();

        @Override
        public abstract void close();
    }

    /** Where autograd is resumed (a view of the tensor before the cut) and the leaf after it. */
    private static final class ForkCut extends Cut {
        private final NDArray before;
        private final NDArray leaf;

        ForkCut(NDArray before, NDArray leaf) {
            this.before = before;
            this.leaf = leaf;
        }

        @Override
        void backward() {
            try (NDArray g = leaf.getGradient()) {
                JniUtils.backward((PtNDArray) before, (PtNDArray) g, false, false);
            }
        }

        @Override
        public void close() {
            before.close();
            leaf.close();
        }
    }

    private static final class PreluCut extends Cut {
        private final NDArray x;
        private final NDArray slope;
        private final NDArray y;
        private final Layout layout;

        PreluCut(NDArray x, NDArray slope, NDArray y, Layout layout) {
            this.x = x;
            this.slope = slope;
            this.y = y;
            this.layout = layout;
        }

        @Override
        void backward() {
            try (NDArray g = y.getGradient(); NDArray xd = x.stopGradient(); NDArray sd = slope.stopGradient();
                 NDArray xm = layout.memoryOrder(xd); NDArray gm = layout.memoryOrder(g)) {
                float[] w = sd.toFloatArray();
                float[] dw;
                NDArray gradIn;
                if (contiguous(gm)) {
                    dw = layout.run(buffer(xm), buffer(gm), w, x.getShape(), JniUtils.getNumThreads());
                    gradIn = g;
                } else {
                    // A gradient stored in another order than the input (an unused output's zeros): libtorch's ops.
                    try (NDArray wb = g.getManager().create(w, layout.broadcast(w.length, x.getShape().dimension()));
                         NDArray pos = xd.gt(0f); NDArray scaled = g.mul(wb);
                         NDArray neg = xd.minimum(0f); NDArray prod = neg.mul(g);
                         NDArray sum = prod.sum(layout.reduced(x.getShape().dimension()))) {
                        gradIn = NDArrays.where(pos, g, scaled);
                        dw = sum.toFloatArray();
                    }
                }
                try (gradIn; NDArray dwArray = slope.getManager().create(dw, slope.getShape())) {
                    JniUtils.backward((PtNDArray) x, (PtNDArray) gradIn, false, false);
                    JniUtils.backward((PtNDArray) slope, (PtNDArray) dwArray, false, false);
                }
            }
        }

        @Override
        public void close() {
            x.close();
            y.close();
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
                return contiguous(x) ? ROWS : null;
            }
            if (s.dimension() == 4) {
                try (NDArray nhwc = x.transpose(0, 2, 3, 1)) {
                    if (contiguous(nhwc)) {
                        return CHANNELS_LAST;
                    }
                }
            }
            return contiguous(x) ? CHANNELS_FIRST : null;
        }

        /** A view whose logical order is the memory order. */
        NDArray memoryOrder(NDArray a) {
            return this == CHANNELS_LAST ? a.transpose(0, 2, 3, 1) : a.reshape(a.getShape());
        }

        float[] run(FloatBuffer x, FloatBuffer g, float[] w, Shape shape, int threads) {
            long n = shape.get(0);
            long c = shape.get(1);
            long plane = shape.size() / (n * c);
            return this == CHANNELS_FIRST
                    ? PreluBackward.channelsFirst(x, g, w, n * c, (int) plane, threads)
                    : PreluBackward.channelsLast(x, g, w, n * plane, threads);
        }

        Shape broadcast(int channels, int dims) {
            long[] s = new long[dims];
            java.util.Arrays.fill(s, 1);
            s[1] = channels;
            return new Shape(s);
        }

        int[] reduced(int dims) {
            int[] axes = new int[dims - 1];
            for (int i = 0, k = 0; i < dims; i++) {
                if (i != 1) {
                    axes[k++] = i;
                }
            }
            return axes;
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
    static boolean contiguous(NDArray a) {
        try {
            return (boolean) Probe.IS_CONTIGUOUS.invoke(Probe.LIB, ((PtNDArray) a).getHandle());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot ask libtorch whether a tensor is contiguous", e);
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
