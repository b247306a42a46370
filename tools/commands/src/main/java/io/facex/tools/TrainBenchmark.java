package io.facex.tools;

import io.facex.api.Backbone;
import io.facex.api.AbstractPlugin;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.Sampling;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;
import io.facex.api.TrainingMode;
import io.facex.core.nn.Djl;
import io.facex.core.train.TrainingRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Throughput of the training step alone (forward + backward + update), measured through the real
 * training mode on in-memory random batches: warm-up steps are discarded, then the median of the timed
 * steps is reported with peak memory and the CPU other processes took meanwhile (a shared 2-core
 * machine makes that the first thing to check when a figure looks off).
 */
public final class TrainBenchmark extends AbstractPlugin<TrainBenchmark.Config>
        implements Benchmark<TrainBenchmark.Config> {

    /**
     * @param classes identities, the head's width (FaceX-Zoo trains with 72,778)
     * @param warmup  untimed steps first
     * @param reps    timed steps
     * @param sampleRate Partial FC's share of classes per step (1: all, as FaceX-Zoo)
     * @param profile  a file for libtorch's profile of every step, warm-up included (Chrome trace), or ""
     */
    public record Config(String backbone, String head, String mode, int batch, int classes, int warmup, int reps,
                         double sampleRate, String profile) {
    }

    public TrainBenchmark() {
        super("train", "one training step (forward + backward + update) through the real mode on random batches: images/s", Config.class,
                new Config("MobileFaceNet", "MV-Softmax", "conventional", 32, 72778, 3, 10, 1.0, ""));
    }

    @Override
    public void validate(Config c) {
        Checks.positive("batch", c.batch());
        Checks.runs(c.warmup(), c.reps());
        Checks.atLeast("classes", c.classes(), 2);
        if (!(c.sampleRate() > 0 && c.sampleRate() <= 1)) {
            throw new io.facex.api.InvalidConfigException("sample_rate", "must be in (0, 1], got " + c.sampleRate());
        }
    }

    @Override
    public BenchmarkResult run(Config c, BenchmarkContext context) throws Exception {
        Djl.noGradOnThisThread();
        return measure(context.plugin(TrainingMode.class, c.mode()), context.plugin(Backbone.class, c.backbone()),
                context.plugin(Head.class, c.head()), c, context);
    }

    private <M, B, H> BenchmarkResult measure(TrainingMode<M> mode, Backbone<B> backbone, Head<H> head, Config c,
                                              BenchmarkContext context) throws Exception {
        int batch = c.batch();
        int warmup = c.warmup();
        B bc = backbone.defaultConfig();
        H hc = head.defaultConfig();
        HeadSize size = new HeadSize(backbone.featureDim(bc), head.needsClassCount() ? c.classes() : 0);
        int steps = warmup + c.reps();
        M mc = mode.defaultConfig();
        TrainingPlan defaults = mode.plan(mc);
        // The mode's own plan, timed on one epoch of the requested batch at a rate random data survives.
        TrainingPlan plan = new TrainingPlan(batch, 1, defaults.seed(), epoch -> 0.01, 1, Integer.MAX_VALUE,
                defaults.sampling(), defaults.augmentation());
        long[] shape = backbone.inputShape(bc).getShape();
        RandomData data = new RandomData(batch, steps, (int) (shape[0] * shape[1] * shape[2]), c.classes(),
                plan.sampling() == Sampling.IDENTITY_PAIRS);
        List<Double> seconds = new ArrayList<>();
        TrainingListener timer = new TrainingListener() {
            long last = System.nanoTime();

            @Override
            public void progress(int epoch, int b, int per, long step, double loss, double lr, double ips) {
                long now = System.nanoTime();
                seconds.add((now - last) / 1e9);
                last = now;
            }
        };
        Path tmp = Files.createTempDirectory("facex-bench-");
        try {
            Profiles.run(c.profile(), context, () -> {
                TrainingRun.train(new TrainingRun.Job<>(mode, mc, plan, backbone, bc, head, hc, size, c.sampleRate(), tmp, null,
                        null, Map.of()),
                        data, timer, context.stopRequested());
                return null;
            });
        } finally {
            Checks.deleteTree(tmp);
        }
        // a semi-siamese step takes two images of each identity: count images, as the conventional step does
        int images = plan.sampling() == Sampling.IDENTITY_PAIRS ? 2 * batch : batch;
        double[] ips = seconds.stream().skip(warmup).mapToDouble(t -> images / t).toArray();
        return BenchmarkResult.median(String.format(Locale.ROOT, "training step %s + %s (%s%s, %s), batch %d, %s threads",
                backbone.name(), head.name(), head.needsClassCount() ? c.classes() + " classes" : "a queue, no classes",
                c.sampleRate() < 1 ? String.format(Locale.ROOT, ", %.0f %% sampled", 100 * c.sampleRate()) : "", mode.name(), batch,
                System.getProperty("ai.djl.pytorch.num_threads", "default")), "images/s", ips, warmup);
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
