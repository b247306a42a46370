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
        return floats(split(rows, threads, w.length, (from, to, sum) -> rows(x, g, w, from, to, sum)));
    }

    /** Channels outermost after the batch: {@code planes} planes of {@code plane} values, plane i of channel i % C (NCHW). */
    static float[] channelsFirst(FloatBuffer x, FloatBuffer g, float[] w, long planes, int plane, int threads) {
        return floats(split(planes, threads, w.length, (from, to, sum) -> planes(x, g, w, plane, from, to, sum)));
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

    private static void rows(FloatBuffer x, FloatBuffer g, float[] w, long from, long to, double[] sum) {
        int channels = w.length;
        // Whole rows per tile, a few thousand values: the inner loop is long enough for the JIT to
        // vectorise, and the slopes repeat along it so the loop needs no modulo.
        int perTile = Math.max(1, TILE / channels);
        int tile = perTile * channels;
        float[] slopes = tiled(w, tile);
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
                fold(sum, channels, partial);
                tiles = 0;
            }
        }
        fold(sum, channels, partial);
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

    /**
     * Training-mode batch norm followed by PReLU, backward, from the batch norm's input {@code x} and the
     * PReLU's output {@code y} alone (so the batch norm's output need not be kept, as in-place activated
     * batch norm): channels innermost, every slope positive, so that {@code y > 0} exactly where the
     * batch norm's output is. {@code g} is overwritten by the gradient of {@code x}.
     *
     * @return the gradients of gamma, beta and the slopes, in that order
     */
    static float[][] batchNormPrelu(FloatBuffer x, FloatBuffer y, FloatBuffer g, float[] gamma, float[] w, double eps,
                                    long rows, int threads) {
        int channels = w.length;
        // The batch's statistics, as the forward pass normalised with (biased variance).
        double[] moments = split(rows, threads, 2 * channels, (from, to, sum) -> moments(x, channels, from, to, sum));
        float[] mean = new float[channels];
        float[] invstd = new float[channels];
        for (int c = 0; c < channels; c++) {
            double mu = moments[c] / rows;
            double var = Math.max(0, moments[channels + c] / rows - mu * mu);
            mean[c] = (float) mu;
            invstd[c] = (float) (1 / Math.sqrt(var + eps));
        }
        double[] sums = split(rows, threads, 3 * channels, (from, to, sum) -> sums(x, y, g, w, mean, invstd, from, to, sum));
        float[] dgamma = new float[channels];
        float[] dbeta = new float[channels];
        float[] dw = new float[channels];
        float[] a = new float[channels];
        float[] d = new float[channels];
        float[] b = new float[channels];
        for (int c = 0; c < channels; c++) {
            double sg = sums[c];
            double sgx = sums[channels + c];
            dbeta[c] = (float) sg;
            dgamma[c] = (float) sgx;
            dw[c] = (float) (sums[2 * channels + c] / w[c]);
            // gx = gamma * invstd * (gbn - mean(gbn) - xhat * mean(gbn * xhat)) = a * gbn + d * x + b
            double k = (double) gamma[c] * invstd[c];
            double dd = -k * invstd[c] * sgx / rows;
            a[c] = (float) k;
            d[c] = (float) dd;
            b[c] = (float) (-dd * mean[c] - k * sg / rows);
        }
        split(rows, threads, 0, (from, to, sum) -> apply(x, y, g, w, a, d, b, from, to));
        return new float[][] {dgamma, dbeta, dw};
    }

    private static float[] tiled(float[] perChannel, int tile) {
        float[] t = new float[tile];
        for (int i = 0; i < tile; i++) {
            t[i] = perChannel[i % perChannel.length];
        }
        return t;
    }

    /** Per channel: the sum of x (first {@code channels}) and of x squared (next). */
    private static void moments(FloatBuffer x, int channels, long from, long to, double[] sum) {
        int perTile = Math.max(1, TILE / channels);
        int tile = perTile * channels;
        float[] xs = new float[tile];
        float[] s1 = new float[tile];
        float[] s2 = new float[tile];
        int tiles = 0;
        for (long row = from; row < to; row += perTile) {
            int n = (int) (Math.min(to, row + perTile) - row) * channels;
            x.get((int) (row * channels), xs, 0, n);
            for (int i = 0; i < n; i++) {
                float v = xs[i];
                s1[i] += v;
                s2[i] += v * v;
            }
            if (++tiles == BLOCK) {
                fold(sum, channels, s1, s2);
                tiles = 0;
            }
        }
        fold(sum, channels, s1, s2);
    }

    /** Per channel: the sum of the batch norm's output gradient, of it times x-hat, and of min(y, 0) * g. */
    private static void sums(FloatBuffer x, FloatBuffer y, FloatBuffer g, float[] w, float[] mean, float[] invstd,
                             long from, long to, double[] sum) {
        int channels = w.length;
        int perTile = Math.max(1, TILE / channels);
        int tile = perTile * channels;
        float[] ws = tiled(w, tile);
        float[] mus = tiled(mean, tile);
        float[] inv = tiled(invstd, tile);
        float[] xs = new float[tile];
        float[] ys = new float[tile];
        float[] gs = new float[tile];
        float[] sg = new float[tile];
        float[] sgx = new float[tile];
        float[] sdw = new float[tile];
        int tiles = 0;
        for (long row = from; row < to; row += perTile) {
            int n = (int) (Math.min(to, row + perTile) - row) * channels;
            int at = (int) (row * channels);
            x.get(at, xs, 0, n);
            y.get(at, ys, 0, n);
            g.get(at, gs, 0, n);
            for (int i = 0; i < n; i++) {
                float yv = ys[i];
                float gv = gs[i];
                float m = Math.min(1f, Math.max(0f, yv) * BIG * BIG);
                float gbn = gv * (m + (1f - m) * ws[i]);
                sg[i] += gbn;
                sgx[i] += gbn * ((xs[i] - mus[i]) * inv[i]);
                sdw[i] += Math.min(yv, 0f) * gv;
            }
            if (++tiles == BLOCK) {
                fold(sum, channels, sg, sgx, sdw);
                tiles = 0;
            }
        }
        fold(sum, channels, sg, sgx, sdw);
    }

    private static void apply(FloatBuffer x, FloatBuffer y, FloatBuffer g, float[] w, float[] a, float[] d, float[] b,
                              long from, long to) {
        int channels = w.length;
        int perTile = Math.max(1, TILE / channels);
        int tile = perTile * channels;
        float[] ws = tiled(w, tile);
        float[] as = tiled(a, tile);
        float[] ds = tiled(d, tile);
        float[] bs = tiled(b, tile);
        float[] xs = new float[tile];
        float[] ys = new float[tile];
        float[] gs = new float[tile];
        for (long row = from; row < to; row += perTile) {
            int n = (int) (Math.min(to, row + perTile) - row) * channels;
            int at = (int) (row * channels);
            x.get(at, xs, 0, n);
            y.get(at, ys, 0, n);
            g.get(at, gs, 0, n);
            for (int i = 0; i < n; i++) {
                float m = Math.min(1f, Math.max(0f, ys[i]) * BIG * BIG);
                float gbn = gs[i] * (m + (1f - m) * ws[i]);
                gs[i] = as[i] * gbn + ds[i] * xs[i] + bs[i];
            }
            g.put(at, gs, 0, n);
        }
    }
}
