package io.facex.nn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Per-channel PReLU's backward in one pass over the activation: the input gradient is written over the
 * output gradient, the slope gradient is summed per channel. libtorch 2.7's own CPU kernel is a scalar
 * loop that writes a second, full-size slope-gradient tensor and reduces it afterwards: about a third of
 * a MobileFaceNet training step.
 *
 * <p>Element by element the input gradient is libtorch's: {@code x > 0 ? g : w * g}, bit for bit (the
 * select is spelled as arithmetic so that the JIT can vectorise it: {@code m + (1 - m) * w} is exactly 1
 * or {@code w} for {@code m} in {0, 1}), over tiles copied into Java arrays (the JIT vectorises array
 * loops, not buffer loops). The slope gradient is the same sum in another order: float partial sums
 * of at most {@link #BLOCK} tiles' worth per channel, added in double.
 */
final class PreluBackward {

    /** Values per tile. */
    static final int TILE = 4096;
    /** Tiles (or plane pieces) per float partial sum. */
    static final int BLOCK = 16;
    /** 2^127 twice takes the smallest positive float above 1, so {@code min(1, max(0, x) * BIG * BIG)} is x > 0. */
    private static final float BIG = 0x1p127f;

    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "facex-prelu-backward");
        t.setDaemon(true);
        return t;
    });

    private PreluBackward() {
    }

    /**
     * Channels innermost: {@code rows} rows of {@code w.length} values (NHWC, or (N, C)).
     *
     * @param x       the layer's input
     * @param g       the gradient of its output, overwritten by the gradient of its input
     * @param w       the slopes
     * @param threads how many threads share the rows
     * @return the gradient of the slopes
     */
    static float[] channelsLast(FloatBuffer x, FloatBuffer g, float[] w, long rows, int threads) {
        return split(rows, threads, w.length, (from, to, sum) -> rows(x, g, w, from, to, sum));
    }

    /** Channels outermost after the batch: {@code planes} planes of {@code plane} values, plane i of channel i % C (NCHW). */
    static float[] channelsFirst(FloatBuffer x, FloatBuffer g, float[] w, long planes, int plane, int threads) {
        return split(planes, threads, w.length, (from, to, sum) -> planes(x, g, w, plane, from, to, sum));
    }

    private interface Part {
        void run(long from, long to, double[] sum);
    }

    private static float[] split(long units, int threads, int channels, Part part) {
        int parts = (int) Math.max(1, Math.min(threads, units / 64));
        double[][] sums = new double[parts][channels];
        List<Future<?>> running = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int q = p;
            running.add(WORKERS.submit(() -> part.run(units * q / parts, units * (q + 1) / parts, sums[q])));
        }
        part.run(0, units / parts, sums[0]);
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in PReLU's backward", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("PReLU's backward failed", e.getCause());
            }
        }
        float[] out = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (double[] part1 : sums) {
                s += part1[c];
            }
            out[c] = (float) s;
        }
        return out;
    }

    private static void rows(FloatBuffer x, FloatBuffer g, float[] w, long from, long to, double[] sum) {
        int channels = w.length;
        // Whole rows per tile, a few thousand values: the inner loop is long enough for the JIT to
        // vectorise, and the slopes repeat along it so the loop needs no modulo.
        int perTile = Math.max(1, TILE / channels);
        int tile = perTile * channels;
        float[] slopes = new float[tile];
        for (int i = 0; i < tile; i++) {
            slopes[i] = w[i % channels];
        }
        float[] xs = new float[tile];
        float[] gs = new float[tile];
        float[] partial = new float[tile];
        int tiles = 0;
        for (long row = from; row < to; row += perTile) {
            int n = (int) (Math.min(to, row + perTile) - row) * channels;
            int at = (int) (row * channels);
            x.get(at, xs, 0, n);
            g.get(at, gs, 0, n);
            for (int i = 0; i < n; i++) {
                float xv = xs[i];
                float gv = gs[i];
                float m = Math.min(1f, Math.max(0f, xv) * BIG * BIG);
                gs[i] = gv * (m + (1f - m) * slopes[i]);
                partial[i] += Math.min(xv, 0f) * gv;
            }
            g.put(at, gs, 0, n);
            if (++tiles == BLOCK) {
                fold(partial, sum);
                tiles = 0;
            }
        }
        fold(partial, sum);
    }

    /** Adds the float partial sums into the channels' double sums and clears them. */
    private static void fold(float[] partial, double[] sum) {
        for (int i = 0; i < partial.length; i++) {
            sum[i % sum.length] += partial[i];
            partial[i] = 0f;
        }
    }

    private static void planes(FloatBuffer x, FloatBuffer g, float[] w, int plane, long from, long to, double[] sum) {
        int channels = w.length;
        int piece = Math.min(plane, TILE);
        float[] xs = new float[piece];
        float[] gs = new float[piece];
        for (long p = from; p < to; p++) {
            int c = (int) (p % channels);
            float wc = w[c];
            for (int start = 0; start < plane; start += piece) {
                int n = Math.min(plane - start, piece);
                int at = (int) (p * plane) + start;
                x.get(at, xs, 0, n);
                g.get(at, gs, 0, n);
                float partial = 0f;
                for (int i = 0; i < n; i++) {
                    float xv = xs[i];
                    float gv = gs[i];
                    float m = Math.min(1f, Math.max(0f, xv) * BIG * BIG);
                    gs[i] = gv * (m + (1f - m) * wc);
                    partial += Math.min(xv, 0f) * gv;
                }
                g.put(at, gs, 0, n);
                sum[c] += partial;
            }
        }
    }
}
