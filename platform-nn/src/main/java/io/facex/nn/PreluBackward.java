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
 * of at most {@link #BLOCK} tiles' worth per channel, added in double. Given a batch norm's input and
 * its {@link Affine} terms instead of the PReLU's input, the pass recomputes that input tile by tile,
 * bit for bit as libtorch's batch norm wrote it, so the batch norm's output need not be kept.
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
        return channelsLast(x, null, g, w, rows, threads);
    }

    /** {@link #channelsLast(FloatBuffer, FloatBuffer, float[], long, int)} on {@code affine} applied to {@code x} (none when null). */
    static float[] channelsLast(FloatBuffer x, Affine affine, FloatBuffer g, float[] w, long rows, int threads) {
        return floats(split(rows, threads, w.length, (from, to, sum) -> rows(x, affine, g, w, from, to, sum)));
    }

    /** Channels outermost after the batch: {@code planes} planes of {@code plane} values, plane i of channel i % C (NCHW). */
    static float[] channelsFirst(FloatBuffer x, FloatBuffer g, float[] w, long planes, int plane, int threads) {
        return channelsFirst(x, null, g, w, planes, plane, threads);
    }

    /** {@link #channelsFirst(FloatBuffer, FloatBuffer, float[], long, int, int)} on {@code affine} applied to {@code x} (none when null). */
    static float[] channelsFirst(FloatBuffer x, Affine affine, FloatBuffer g, float[] w, long planes, int plane, int threads) {
        return floats(split(planes, threads, w.length, (from, to, sum) -> planes(x, affine, g, w, plane, from, to, sum)));
    }

    /**
     * Batch norm's output from its input in training mode, per channel {@code x * scale + shift}, computed
     * as libtorch 2.7's CPU kernel computes it: {@code scale = invstd * gamma},
     * {@code shift = beta - mean * scale} and {@code x * scale + shift}, the last two each one fused
     * multiply-add (its vectorised kernel is built with them). {@link CutBackward} checks this against
     * libtorch once before relying on it.
     */
    record Affine(float[] scale, float[] shift) {
        static Affine of(float[] gamma, float[] beta, float[] mean, float[] invstd) {
            float[] scale = new float[gamma.length];
            float[] shift = new float[gamma.length];
            for (int c = 0; c < gamma.length; c++) {
                scale[c] = invstd[c] * gamma[c];
                shift[c] = Math.fma(-mean[c], scale[c], beta[c]);
            }
            return new Affine(scale, shift);
        }

        /** {@code v[i] = v[i] * scale[i] + shift[i]} for i < n, one rounding each. */
        static void apply(float[] v, float[] scale, float[] shift, int n) {
            for (int i = 0; i < n; i++) {
                v[i] = Math.fma(v[i], scale[i], shift[i]);
            }
        }
    }

    private interface Part {
        void run(long from, long to, double[] sum);
    }

    /** Runs {@code part} over {@code units} split among up to {@code threads} threads; the parts' {@code width} sums, added. */
    private static double[] split(long units, int threads, int width, Part part) {
        int parts = (int) Math.max(1, Math.min(threads, units / 64));
        double[][] sums = new double[parts][width];
        List<Future<?>> running = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int q = p;
            running.add(WORKERS.submit(() -> part.run(units * q / parts, units * (q + 1) / parts, sums[q])));
        }
        part.run(0, units / parts, sums[0]);
        await(running);
        double[] out = new double[width];
        for (double[] one : sums) {
            for (int i = 0; i < width; i++) {
                out[i] += one[i];
            }
        }
        return out;
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static void await(List<Future<?>> running) {
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
    }

    private static void rows(FloatBuffer x, Affine affine, FloatBuffer g, float[] w, long from, long to, double[] sum) {
        int channels = w.length;
        // Whole rows per tile, a few thousand values: the inner loop is long enough for the JIT to
        // vectorise, and the slopes repeat along it so the loop needs no modulo.
        int perTile = Math.max(1, TILE / channels);
        int tile = perTile * channels;
        float[] slopes = tiled(w, tile);
        float[] scales = affine == null ? null : tiled(affine.scale(), tile);
        float[] shifts = affine == null ? null : tiled(affine.shift(), tile);
        float[] xs = new float[tile];
        float[] gs = new float[tile];
        float[] partial = new float[tile];
        int tiles = 0;
        for (long row = from; row < to; row += perTile) {
            int n = (int) (Math.min(to, row + perTile) - row) * channels;
            int at = (int) (row * channels);
            x.get(at, xs, 0, n);
            g.get(at, gs, 0, n);
            if (affine != null) {
                Affine.apply(xs, scales, shifts, n);
            }
            // One loop here: the JIT vectorises this one whole (8 ms for 12.8 M values on 2 threads, 10 ms split).
            for (int i = 0; i < n; i++) {
                float xv = xs[i];
                float gv = gs[i];
                float m = Math.min(1f, Math.max(0f, xv) * BIG * BIG);
                gs[i] = gv * (m + (1f - m) * slopes[i]);
                partial[i] += Math.min(xv, 0f) * gv;
            }
            g.put(at, gs, 0, n);
            if (++tiles == BLOCK) {
                fold(sum, channels, partial);
                tiles = 0;
            }
        }
        fold(sum, channels, partial);
    }

    // Kept apart from each other: the JIT vectorises each loop, not always their fusion.

    /** {@code acc += min(v, 0) * g}: the slope's gradient, where the PReLU's input is not positive. */
    private static void slopeTerms(float[] v, float[] g, float[] acc, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += Math.min(v[i], 0f) * g[i];
        }
    }

    /** {@code out = v > 0 ? g : w * g}, spelled {@code g * (m + (1 - m) * w)} with m = [v > 0]; out may be g. */
    private static void preluGrad(float[] v, float[] g, float[] w, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float m = Math.min(1f, Math.max(0f, v[i]) * BIG * BIG);
            out[i] = g[i] * (m + (1f - m) * w[i]);
        }
    }

    /** Adds float partial sums (tiles of whole rows) into the channels' double sums, k-th partial at k * channels, and clears them. */
    private static void fold(double[] sum, int channels, float[]... partials) {
        for (int k = 0; k < partials.length; k++) {
            float[] p = partials[k];
            for (int i = 0; i < p.length; i++) {
                sum[k * channels + i % channels] += p[i];
                p[i] = 0f;
            }
        }
    }

    private static void planes(FloatBuffer x, Affine affine, FloatBuffer g, float[] w, int plane, long from, long to, double[] sum) {
        int channels = w.length;
        int piece = Math.min(plane, TILE);
        float[] xs = new float[piece];
        float[] gs = new float[piece];
        float[] slope = new float[piece];
        float[] scale = affine == null ? null : new float[piece];
        float[] shift = affine == null ? null : new float[piece];
        float[] partial = new float[piece];
        for (long p = from; p < to; p++) {
            int c = (int) (p % channels);
            java.util.Arrays.fill(slope, w[c]);
            if (affine != null) {
                java.util.Arrays.fill(scale, affine.scale()[c]);
                java.util.Arrays.fill(shift, affine.shift()[c]);
            }
            for (int start = 0; start < plane; start += piece) {
                int n = Math.min(plane - start, piece);
                int at = (int) (p * plane) + start;
                x.get(at, xs, 0, n);
                g.get(at, gs, 0, n);
                if (affine != null) {
                    Affine.apply(xs, scale, shift, n);
                }
                slopeTerms(xs, gs, partial, n);
                preluGrad(xs, gs, slope, gs, n);
                g.put(at, gs, 0, n);
            }
            double s = 0;
            for (int i = 0; i < piece; i++) {
                s += partial[i];
                partial[i] = 0f;
            }
            sum[c] += s;
        }
    }

    private static float[] tiled(float[] perChannel, int tile) {
        float[] t = new float[tile];
        for (int i = 0; i < tile; i++) {
            t[i] = perChannel[i % perChannel.length];
        }
        return t;
    }
}
