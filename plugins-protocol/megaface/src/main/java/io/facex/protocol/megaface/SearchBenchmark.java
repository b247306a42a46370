package io.facex.protocol.megaface;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput of the distractor search on random unit features: probes × distractors scored per second,
 * median of several runs after warm-up, beside the machine's matrix-product rate for the same shapes
 * (libtorch sgemm through DJL, scores left in native memory): the physical limit of this search.
 *
 * <pre>
 * java -cp ... io.facex.protocol.megaface.SearchBenchmark [--distractors 100000] [--probes 3530] [--dim 512]
 *      [--k 10] [--block 512] [--threads N] [--engine java,djl] [--runs 5] [--warmup 1] [--seed 1]
 * </pre>
 *
 * {@link #measure} is the entry point for the platform's {@code bench} command.
 */
public final class SearchBenchmark {

    /** What to measure. */
    public record Options(int distractors, int probes, int dim, int k, int block, int threads, List<String> engines,
            int runs, int warmup, long seed) {

        public static Options defaults() {
            return new Options(100_000, 3530, 512, 10, 512, Runtime.getRuntime().availableProcessors(),
                    List.of("java", "djl"), 5, 1, 1);
        }
    }

    /** One engine's figures; {@code seconds} holds every timed run. */
    public record Figure(String what, double medianSeconds, double pairsPerSecond, double gflops, double[] seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-28s median %.3f s  %,.0f probe-distractor scores/s  %.1f GFLOP/s  runs %s",
                    what, medianSeconds, pairsPerSecond, gflops, Arrays.toString(seconds));
        }
    }

    private SearchBenchmark() {
    }

    /** Runs each requested engine, then the raw matrix product of the same shapes. */
    public static List<Figure> measure(Options o) {
        float[][] probes = randomUnit(o.probes(), o.dim(), o.seed());
        float[][] distractors = randomUnit(o.distractors(), o.dim(), o.seed() + 1);
        DistractorBlocks d = DistractorBlocks.plan(o.dim(), o.block(), new int[] {o.distractors()});
        DistractorBlocks.Source source = i -> distractors[i];
        double flop = 2.0 * o.probes() * o.distractors() * o.dim();
        List<Figure> out = new ArrayList<>();
        for (String e : o.engines()) {
            TopKSearch.Engine engine = TopKSearch.Engine.parse(e);
            double[] t = time(o, () -> TopKSearch.search(probes, d, source, o.k(), o.threads(), engine));
            out.add(figure(String.format(Locale.ROOT, "search %s, %d threads", e, o.threads()), t, flop, o));
        }
        try (MatmulOnly m = new MatmulOnly(probes, d, source)) {
            out.add(figure("libtorch matmul only", time(o, m), flop, o));
        }
        return out;
    }

    private static Figure figure(String what, double[] t, double flop, Options o) {
        double[] sorted = t.clone();
        Arrays.sort(sorted);
        // torch.median's convention: the lower middle for an even count
        double median = sorted[(sorted.length - 1) / 2];
        return new Figure(what, median, (double) o.probes() * o.distractors() / median, flop / median / 1e9, t);
    }

    private static double[] time(Options o, Runnable run) {
        for (int i = 0; i < o.warmup(); i++) {
            run.run();
        }
        double[] t = new double[o.runs()];
        for (int i = 0; i < o.runs(); i++) {
            long t0 = System.nanoTime();
            run.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return t;
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

    public static void main(String[] args) {
        Options d = Options.defaults();
        int distractors = d.distractors(), probes = d.probes(), dim = d.dim(), k = d.k(), block = d.block();
        int threads = d.threads(), runs = d.runs(), warmup = d.warmup();
        long seed = d.seed();
        List<String> engines = d.engines();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--distractors" -> distractors = Integer.parseInt(v);
                case "--probes" -> probes = Integer.parseInt(v);
                case "--dim" -> dim = Integer.parseInt(v);
                case "--k" -> k = Integer.parseInt(v);
                case "--block" -> block = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--engine" -> engines = List.of(v.split(","));
                case "--runs" -> runs = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        Options o = new Options(distractors, probes, dim, k, block, threads, engines, runs, warmup, seed);
        System.out.printf(Locale.ROOT, "%d probes x %d distractors x %d dims, top-%d, block %d, %d threads, %d cores%n",
                probes, distractors, dim, k, block, threads, Runtime.getRuntime().availableProcessors());
        for (Figure f : measure(o)) {
            System.out.println(f);
        }
    }
}
