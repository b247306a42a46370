package io.facex.protocol.megaface;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For every probe, the K largest scores against the distractors of each prefix of the list: a blocked
 * matrix product whose blocks are folded into per-probe top-K arrays as soon as they are computed, so
 * the probes × distractors matrix never exists (FaceX-Zoo holds all of it: 3,530 × 1M floats, 14 GB).
 *
 * <p>Workers take whole blocks from a shared counter, copy the block's features into their own buffer
 * and score it against every probe. Each keeps its own top-K per segment of the list
 * (blocks never straddle segments), and the prefix results are merged at the end: top-K of a union is
 * the top-K of the parts' top-Ks, and a multiset of values does not depend on the order it was merged
 * in, so the result is the same for every block size and thread count. Memory beyond the features:
 * per worker one block and its scores (probes × block floats), and workers × segments × probes × K floats.
 */
final class TopKSearch {

    /** How a block's scores are computed. */
    enum Engine {
        /** {@link ScoreKernel}: plain Java, every sum in component order (bit-reproducible). */
        JAVA,
        /** One DJL (libtorch) matrix product per block: faster, summation order libtorch's. */
        DJL;

        static Engine parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    private TopKSearch() {
    }

    /**
     * @param probes  one feature per probe, all of the distractors' dimension
     * @param k       how many scores to keep per probe
     * @param threads worker threads (at least 1)
     * @return per segment s, the top-K of the prefix made of segments 0..s: {@code [s][p * k + r]} is
     *         probe p's (r+1)-th largest score, descending; −∞ where the prefix has fewer than r+1 distractors
     */
    static float[][] search(float[][] probes, DistractorBlocks d, DistractorBlocks.Source source, int k, int threads,
            Engine engine) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        for (float[] p : probes) {
            if (p.length != d.dim) {
                throw new IllegalArgumentException("probe of length " + p.length + ", distractors have " + d.dim);
            }
        }
        if (probes.length == 0 || d.blocks() == 0) {
            float[][] none = new float[d.segments][];
            Arrays.fill(none, empty(probes.length, k));
            return none;
        }
        int workers = Math.max(1, Math.min(threads, d.blocks()));
        AtomicInteger next = new AtomicInteger();
        List<Worker> all = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            all.add(engine == Engine.DJL ? new DjlWorker(probes, d, source, k, next)
                    : new JavaWorker(probes, d, source, k, next));
        }
        float[][][] perWorker = new float[workers][][];
        if (workers == 1) {
            perWorker[0] = all.get(0).run();
        } else {
            AtomicInteger names = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "facex-megaface-search-" + names.getAndIncrement());
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<float[][]>> futures = new ArrayList<>();
                for (Worker w : all) {
                    futures.add(pool.submit(w::run));
                }
                for (int w = 0; w < workers; w++) {
                    perWorker[w] = futures.get(w).get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during the distractor search", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof RuntimeException rt ? rt : new IllegalStateException(c);
            } finally {
                pool.shutdownNow();
            }
        }
        float[][] prefix = new float[d.segments][];
        float[] running = empty(probes.length, k);
        for (int s = 0; s < d.segments; s++) {
            for (float[][] acc : perWorker) {
                if (acc[s] != null) {
                    mergeTopK(running, acc[s], probes.length, k);
                }
            }
            prefix[s] = running.clone();
        }
        return prefix;
    }

    static float[] empty(int probes, int k) {
        float[] top = new float[probes * k];
        Arrays.fill(top, Float.NEGATIVE_INFINITY);
        return top;
    }

    /**
     * Folds scores into one probe's descending top-K at {@code top[base .. base+k)}. Strictly greater:
     * an equal score would not change the multiset of the K largest values, which is all that is kept.
     */
    static void offer(float[] top, int base, int k, float[] s, int off, int len) {
        int last = base + k - 1;
        float min = top[last];
        for (int j = off, end = off + len; j < end; j++) {
            float v = s[j];
            if (v > min) {
                int i = last;
                while (i > base && top[i - 1] < v) {
                    top[i] = top[i - 1];
                    i--;
                }
                top[i] = v;
                min = top[last];
            }
        }
    }

    private static void mergeTopK(float[] into, float[] from, int probes, int k) {
        for (int p = 0; p < probes; p++) {
            offer(into, p * k, k, from, p * k, k);
        }
    }

    private abstract static class Worker {
        final float[][] probes;
        final DistractorBlocks d;
        final DistractorBlocks.Source source;
        final int k;
        final AtomicInteger next;
        final float[][] rows;

        Worker(float[][] probes, DistractorBlocks d, DistractorBlocks.Source source, int k, AtomicInteger next) {
            this.probes = probes;
            this.d = d;
            this.source = source;
            this.k = k;
            this.next = next;
            this.rows = d.buffer();
        }

        float[][] run() {
            float[][] acc = new float[d.segments][];
            try {
                for (int b; (b = next.getAndIncrement()) < d.blocks(); ) {
                    int len = d.fill(b, source, rows);
                    if (len == 0) {
                        continue;
                    }
                    int s = d.segment[b];
                    if (acc[s] == null) {
                        acc[s] = empty(probes.length, k);
                    }
                    block(len, acc[s]);
                }
            } catch (RuntimeException | Error e) {
                // the others stop at their next block instead of finishing a search nobody will read
                next.set(d.blocks());
                throw e;
            } finally {
                close();
            }
            return acc;
        }

        /** Scores the {@code len} distractors in {@link #rows} and folds them into {@code top}. */
        abstract void block(int len, float[] top);

        void close() {
        }
    }

    private static final class JavaWorker extends Worker {
        private final float[] s0;
        private final float[] s1;

        JavaWorker(float[][] probes, DistractorBlocks d, DistractorBlocks.Source source, int k, AtomicInteger next) {
            super(probes, d, source, k, next);
            s0 = new float[d.blockSize];
            s1 = new float[d.blockSize];
        }

        @Override
        void block(int len, float[] top) {
            int p = 0;
            // a tile's scores are folded in while still in L1, before the next tile overwrites them
            for (; p + 1 < probes.length; p += 2) {
                ScoreKernel.scores2(rows, len, probes[p], probes[p + 1], s0, s1);
                offer(top, p * k, k, s0, 0, len);
                offer(top, (p + 1) * k, k, s1, 0, len);
            }
            if (p < probes.length) {
                ScoreKernel.scores1(rows, len, probes[p], s0);
                offer(top, p * k, k, s0, 0, len);
            }
        }
    }

    private static final class DjlWorker extends Worker {
        private NDManager manager;
        private NDArray q;
        private ByteBuffer block;
        private float[] scores;
        private ClassLoader savedLoader;

        DjlWorker(float[][] probes, DistractorBlocks d, DistractorBlocks.Source source, int k, AtomicInteger next) {
            super(probes, d, source, k, next);
        }

        private void open() {
            // DJL finds its engine through the context class loader, which inside the OSGi container
            // need not see DJL: pin it to DJL's own loader while this worker runs.
            Thread t = Thread.currentThread();
            savedLoader = t.getContextClassLoader();
            t.setContextClassLoader(Engine.class.getClassLoader());
            manager = NDManager.newBaseManager();
            int dim = d.dim;
            float[] all = new float[probes.length * dim];
            for (int p = 0; p < probes.length; p++) {
                System.arraycopy(probes[p], 0, all, p * dim, dim);
            }
            q = manager.create(all, new Shape(probes.length, dim));
            // direct, so DJL hands it to libtorch without another copy of its own
            block = ByteBuffer.allocateDirect(dim * d.blockSize * Float.BYTES).order(ByteOrder.nativeOrder());
            scores = new float[probes.length * d.blockSize];
        }

        @Override
        void block(int len, float[] top) {
            if (manager == null) {
                open();
            }
            FloatBuffer f = block.clear().asFloatBuffer();
            for (int c = 0; c < d.dim; c++) {
                f.put(rows[c], 0, len);
            }
            ByteBuffer in = block.duplicate().order(ByteOrder.nativeOrder()).limit(d.dim * len * Float.BYTES);
            try (NDArray x = manager.create(in, new Shape(d.dim, len), DataType.FLOAT32);
                    NDArray s = q.matMul(x)) {
                s.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(scores, 0, probes.length * len);
            }
            for (int p = 0; p < probes.length; p++) {
                offer(top, p * k, k, scores, p * len, len);
            }
        }

        @Override
        void close() {
            if (manager != null) {
                manager.close();
                Thread.currentThread().setContextClassLoader(savedLoader);
            }
        }
    }
}
