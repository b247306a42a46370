package io.facex.protocol.megaface;

import ai.djl.engine.Engine;
import io.facex.api.AbstractPlugin;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.api.InvalidConfigException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code facex bench search}: throughput of the MegaFace distractor search on random unit features,
 * probes × distractors scored per second, beside the machine's matrix-product rate for the same shapes
 * (libtorch sgemm through DJL, scores left in native memory): the physical limit of this search.
 */
public final class SearchBenchmark extends AbstractPlugin<SearchBenchmark.Config>
        implements Benchmark<SearchBenchmark.Config> {

    /**
     * @param distractors    MegaFace distractors (the full set: 1,000,000)
     * @param probes         FaceScrub probes (FaceX-Zoo's list: 3,530)
     * @param searchThreads  search threads; 0 for every core ({@code --threads} is the launcher's: libtorch's threads)
     * @param engine         {@code java} or {@code djl}, as the protocol's {@code engine} setting
     * @param compareMatmul  also time libtorch's bare matrix product of the same shapes
     */
    public record Config(int distractors, int probes, int dim, int k, int block, int searchThreads, String engine,
                         int runs, int warmup, long seed, boolean compareMatmul) {
    }

    public SearchBenchmark() {
        super("search", "MegaFace rank-N search (blocked product + streaming top-K) on random features: scores/s", Config.class,
                new Config(100_000, 3530, 512, 10, 512, 0, "djl", 5, 1, 1, true));
    }

    @Override
    public void validate(Config c) {
        String[] positive = {"distractors", "probes", "dim", "k", "block", "runs"};
        int[] values = {c.distractors(), c.probes(), c.dim(), c.k(), c.block(), c.runs()};
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 1) {
                throw new InvalidConfigException(positive[i], "must be at least 1, got " + values[i]);
            }
        }
        if (c.searchThreads() < 0 || c.warmup() < 0) {
            throw new InvalidConfigException(c.searchThreads() < 0 ? "search_threads" : "warmup", "must be ≥ 0");
        }
        try {
            TopKSearch.Engine.parse(c.engine());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("engine", "expected java or djl, got '" + c.engine() + "'");
        }
    }

    @Override
    public BenchmarkResult run(Config c, BenchmarkContext context) {
        int threads = c.searchThreads() > 0 ? c.searchThreads() : Runtime.getRuntime().availableProcessors();
        float[][] probes = randomUnit(c.probes(), c.dim(), c.seed());
        float[][] distractors = randomUnit(c.distractors(), c.dim(), c.seed() + 1);
        DistractorBlocks d = DistractorBlocks.plan(c.dim(), c.block(), new int[] {c.distractors()});
        DistractorBlocks.Source source = i -> distractors[i];
        TopKSearch.Engine engine = TopKSearch.Engine.parse(c.engine());
        double scores = (double) c.probes() * c.distractors();
        double[] search = rates(c, scores, () -> TopKSearch.search(probes, d, source, c.k(), threads, engine));
        BenchmarkResult r = BenchmarkResult.median(String.format(Locale.ROOT,
                "MegaFace search %d probes x %d distractors x %d dims, top-%d, %s engine, %d threads", c.probes(),
                c.distractors(), c.dim(), c.k(), c.engine(), threads), "scores/s", search, c.warmup());
        if (c.compareMatmul()) {
            try (MatmulOnly m = new MatmulOnly(probes, d, source)) {
                BenchmarkResult bare = BenchmarkResult.median("", "scores/s", rates(c, scores, m), c.warmup());
                r = r.withDetails(String.format(Locale.ROOT, "%.0f%% of libtorch's bare matrix product of the same shapes, "
                        + "%,.0f scores/s, %.1f GFLOP/s", 100 * r.value() / bare.value(), bare.value(),
                        bare.value() * 2 * c.dim() / 1e9));
            }
        }
        return r;
    }

    private static double[] rates(Config c, double scores, Runnable run) {
        for (int i = 0; i < c.warmup(); i++) {
            run.run();
        }
        double[] rates = new double[c.runs()];
        for (int i = 0; i < c.runs(); i++) {
            long t0 = System.nanoTime();
            run.run();
            rates[i] = scores / ((System.nanoTime() - t0) / 1e9);
        }
        return rates;
    }

    /** The same products as the DJL search and nothing else: no copies either way, no top-K. */
    private static final class MatmulOnly implements Runnable, AutoCloseable {
        private final NDManager manager;
        private final NDArray q;
        private final List<NDArray> blocks = new ArrayList<>();

        MatmulOnly(float[][] probes, DistractorBlocks d, DistractorBlocks.Source source) {
            Thread t = Thread.currentThread();
            ClassLoader saved = t.getContextClassLoader();
            t.setContextClassLoader(Engine.class.getClassLoader());
            try {
                manager = NDManager.newBaseManager();
            } finally {
                t.setContextClassLoader(saved);
            }
            float[] all = new float[probes.length * d.dim];
            for (int p = 0; p < probes.length; p++) {
                System.arraycopy(probes[p], 0, all, p * d.dim, d.dim);
            }
            q = manager.create(all, new Shape(probes.length, d.dim));
            float[][] rows = d.buffer();
            for (int b = 0; b < d.blocks(); b++) {
                int len = d.fill(b, source, rows);
                float[] flat = new float[d.dim * len];
                for (int c = 0; c < d.dim; c++) {
                    System.arraycopy(rows[c], 0, flat, c * len, len);
                }
                blocks.add(manager.create(flat, new Shape(d.dim, len)));
            }
        }

        @Override
        public void run() {
            for (NDArray x : blocks) {
                try (NDArray s = q.matMul(x)) {
                    s.getFloat(0, 0);
                }
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    static float[][] randomUnit(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] v = new float[n][];
        for (int i = 0; i < n; i++) {
            v[i] = randomUnit(r, dim);
        }
        return v;
    }

    static float[] randomUnit(SplittableRandom r, int dim) {
        float[] x = new float[dim];
        double s = 0;
        for (int k = 0; k < dim; k++) {
            // uniform on the sphere: normalised Gaussian
            double g = gaussian(r);
            x[k] = (float) g;
            s += g * g;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int k = 0; k < dim; k++) {
            x[k] *= inv;
        }
        return x;
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
