package io.facex.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.core.nn.Djl;

import java.util.Locale;

/**
 * A backbone's forward pass alone, in eval mode without gradients, on a random batch of its declared
 * input: images/s, the figure to set beside FaceX-Zoo's {@code model.eval()} under {@code torch.no_grad()}.
 * Decoding is left out on purpose (the {@code extract} benchmark includes it).
 */
public final class InferBenchmark extends AbstractPlugin<InferBenchmark.Config> implements Benchmark<InferBenchmark.Config> {

    /**
     * @param backbone a backbone or preset name, at its default configuration
     * @param warmup   untimed batches first
     * @param reps     timed batches
     * @param fold     fold BatchNorm into the layers before it, as evaluation and the SDK do
     * @param profile  a file for libtorch's profile of the timed batches (Chrome trace), or "" for none
     */
    public record Config(String backbone, int batch, int warmup, int reps, boolean fold, String profile) {
    }

    public InferBenchmark() {
        super("infer", "a backbone's forward pass (eval mode, no gradients) on random batches: images/s", Config.class,
                new Config("MobileFaceNet", 32, 2, 10, true, ""));
    }

    @Override
    public void validate(Config c) {
        Checks.positive("batch", c.batch());
        Checks.runs(c.warmup(), c.reps());
    }

    @Override
    public BenchmarkResult run(Config c, BenchmarkContext context) throws Exception {
        Djl.noGradOnThisThread();
        return measure(context.plugin(Backbone.class, c.backbone()), c, context);
    }

    /**
     * One forward pass with the result copied to the host, as a caller would use it: its seconds. The batch
     * is a fresh copy in the pass's own manager, as the Embedder's is: DJL attaches an op's output to its
     * input's manager, so a pass over the long-lived batch itself would leave in that manager every
     * intermediate no block closes (0.5 GB more peak memory over 13 passes of MobileFaceNet).
     */
    private static double pass(Block block, NDManager m, NDArray x) {
        try (NDManager step = m.newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(step);
            long t0 = System.nanoTime();
            block.forward(new ParameterStore(step, false), new NDList(in), false).singletonOrThrow().toFloatArray();
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private <B> BenchmarkResult measure(Backbone<B> backbone, Config c, BenchmarkContext context) throws Exception {
        B config = backbone.defaultConfig();
        Shape in = new Shape(c.batch()).addAll(backbone.inputShape(config));
        double[] ips = new double[c.reps()];
        int folded;
        try (NDManager m = Djl.newManager()) {
            Block block = backbone.build(config);
            block.initialize(m, DataType.FLOAT32, in);
            folded = c.fold() ? io.facex.nn.BatchNormFolding.fold(block, m) : 0;
            NDArray x = m.randomNormal(in);
            for (int i = 0; i < c.warmup() && !context.stopRequested().getAsBoolean(); i++) {
                pass(block, m, x);
            }
            Profiles.run(c.profile(), context, () -> {
                for (int i = 0; i < c.reps() && !context.stopRequested().getAsBoolean(); i++) {
                    ips[i] = c.batch() / pass(block, m, x);
                }
                return null;
            });
        }
        return BenchmarkResult.median(String.format(Locale.ROOT, "forward pass %s (eval, no grad, %s), batch %d, %s threads",
                backbone.name(), c.fold() ? folded + " BatchNorms folded" : "BatchNorm not folded", c.batch(),
                System.getProperty("ai.djl.pytorch.num_threads", "default")), "images/s", ips, c.warmup());
    }
}
