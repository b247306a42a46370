package io.facex.core.tools;

import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.Sampling;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;
import io.facex.api.TrainingMode;
import io.facex.core.nn.Djl;
import io.facex.core.train.TrainingRun;
import io.facex.core.registry.PluginRegistry;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Throughput of the training step alone (forward + backward + update), measured through the real
 * training mode on in-memory random batches: warm-up steps are discarded, then the median of the timed
 * steps is reported with peak memory and the CPU other processes took meanwhile (a shared 2-core
 * machine makes that the first thing to check when a figure looks off).
 */
public final class TrainBenchmark {

    /** What one run measured. */
    public record Result(double medianImagesPerSecond, double minImagesPerSecond, double maxImagesPerSecond,
                         long peakRssBytes, double otherCpuPercent, int steps) {
    }

    private final PluginRegistry registry;

    public TrainBenchmark(PluginRegistry registry) {
        this.registry = registry;
    }

    public Result run(String mode, String backboneName, String headName, int batch, int classes, int warmup, int reps)
            throws Exception {
        Djl.noGradOnThisThread();
        Backbone<?> backbone = registry.get(Backbone.class, backboneName);
        Head<?> head = registry.get(Head.class, headName);
        TrainingMode<?> m = registry.get(TrainingMode.class, mode);
        return measure(m, backbone, head, batch, classes, warmup, reps);
    }

    private <M, B, H> Result measure(TrainingMode<M> mode, Backbone<B> backbone, Head<H> head, int batch, int classes,
                                     int warmup, int reps) throws Exception {
        B bc = backbone.defaultConfig();
        H hc = head.defaultConfig();
        HeadSize size = new HeadSize(backbone.featureDim(bc), head.needsClassCount() ? classes : 0);
        int steps = warmup + reps;
        M mc = mode.defaultConfig();
        TrainingPlan defaults = mode.plan(mc);
        // The mode's own plan, timed on one epoch of the requested batch at a rate random data survives.
        TrainingPlan plan = new TrainingPlan(batch, 1, defaults.seed(), epoch -> 0.01, 1, Integer.MAX_VALUE,
                defaults.sampling(), defaults.augmentation());
        long[] shape = backbone.inputShape(bc).getShape();
        RandomData data = new RandomData(batch, steps, (int) (shape[0] * shape[1] * shape[2]), classes,
                plan.sampling() == Sampling.IDENTITY_PAIRS);
        List<double[]> times = new ArrayList<>(); // (step, seconds)
        TrainingListener timer = new TrainingListener() {
            long last = System.nanoTime();

            @Override
            public void progress(int epoch, int b, int per, long step, double loss, double lr, double ips) {
                long now = System.nanoTime();
                times.add(new double[] {step, (now - last) / 1e9});
                last = now;
            }
        };
        Path tmp = Files.createTempDirectory("facex-bench-");
        CpuClock cpu = new CpuClock();
        try (io.facex.core.jobs.Jobs.Job job = io.facex.core.jobs.Jobs.start()) {
            TrainingRun.train(new TrainingRun.Job<>(mode, mc, plan, backbone, bc, head, hc, size, tmp, null, null, Map.of()),
                    data, timer, io.facex.core.jobs.Jobs::stopRequested);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        double other = cpu.otherProcessesPercent();
        double[] ips = times.stream().skip(warmup).mapToDouble(t -> batch / t[1]).sorted().toArray();
        if (ips.length == 0) {
            throw new IllegalStateException("no timed steps (reps must be ≥ 1)");
        }
        double median = ips.length % 2 == 1 ? ips[ips.length / 2] : (ips[ips.length / 2 - 1] + ips[ips.length / 2]) / 2;
        return new Result(median, ips[0], ips[ips.length - 1], peakRss(), other, ips.length);
    }

    /** Prints one line per figure, the way notes quote them. */
    public static void print(Result r, String what, PrintStream out) {
        out.printf(Locale.ROOT, "%s: %.1f images/s (median of %d steps after warm-up; min %.1f, max %.1f); peak RSS %.2f GB; "
                        + "other processes used %.0f%% of one core meanwhile%n", what, r.medianImagesPerSecond(), r.steps(),
                r.minImagesPerSecond(), r.maxImagesPerSecond(), r.peakRssBytes() / 1e9, r.otherCpuPercent());
    }

    /** Peak resident memory of this process (VmHWM), or -1 where /proc is missing. */
    public static long peakRss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time of the whole machine minus this process, over the benchmark (Linux /proc). */
    public static final class CpuClock {
        private final long[] start = read();
        private final long startNs = System.nanoTime();

        private static long[] read() {
            try {
                String[] all = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long busy = 0;
                for (int i = 1; i < all.length; i++) {
                    if (i != 4 && i != 5) { // idle and iowait
                        busy += Long.parseLong(all[i]);
                    }
                }
                String[] self = Files.readString(Path.of("/proc/self/stat")).split("\\)")[1].trim().split("\\s+");
                long own = Long.parseLong(self[11]) + Long.parseLong(self[12]);
                return new long[] {busy, own};
            } catch (IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }

        /** Percent of one core used by other processes (clock ticks are 1/100 s on Linux). */
        public double otherProcessesPercent() {
            long[] end = read();
            double seconds = (System.nanoTime() - startNs) / 1e9;
            double otherTicks = (end[0] - start[0]) - (end[1] - start[1]);
            return Math.max(0, otherTicks / 100.0 / seconds * 100);
        }
    }

    /** The same random batch served again and again: the step is measured, not the loader. */
    private static final class RandomData implements TrainingData {
        private final int batch;
        private final int steps;
        private final Batch fixed;
        private final int classes;

        RandomData(int batch, int steps, int pixels, int classes, boolean paired) {
            this.batch = batch;
            this.steps = steps;
            this.classes = classes;
            Random r = new Random(0);
            float[] x = new float[batch * pixels];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            long[] y = new long[batch];
            Arrays.setAll(y, i -> r.nextInt(classes));
            this.fixed = new Batch(x, y, batch, paired ? x : null);
        }

        @Override
        public int size() {
            return batch * steps;
        }

        @Override
        public int numClasses() {
            return classes;
        }

        @Override
        public Batches epoch(int epoch, int batchSize, int firstBatch) {
            return new Batches() {
                int served = firstBatch;

                @Override
                public boolean hasNext() {
                    return served < steps;
                }

                @Override
                public Batch next() {
                    served++;
                    return fixed;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
