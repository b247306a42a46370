package io.facex.tools;

import io.facex.api.Backbone;
import io.facex.api.AbstractPlugin;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.core.embed.Embedder;
import io.facex.core.eval.FeatureExtractor;
import io.facex.core.jobs.MachineLoad;
import io.facex.data.ImageHeader;
import io.facex.tools.synthetic.SyntheticFaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of feature extraction as {@code facex eval} runs it: JPEG decoding on worker threads ahead
 * of the network's forward pass in eval mode, over a synthetic image list; each repetition extracts the
 * whole list, and images per second of each are reported (median after warm-up).
 */
public final class ExtractBenchmark extends AbstractPlugin<ExtractBenchmark.Config>
        implements Benchmark<ExtractBenchmark.Config> {

    /**
     * @param batch  images per forward pass; each run extracts 8 batches
     * @param flip   fuse each face's feature with its mirror image's
     */
    public record Config(String backbone, int batch, int workers, boolean flip, int warmup, int reps) {
    }

    public ExtractBenchmark() {
        super("extract", "feature extraction as facex eval runs it (decoding threads + eval-mode forward): images/s", Config.class,
                new Config("MobileFaceNet", 32, 2, false, 3, 10));
    }

    @Override
    public void validate(Config c) {
        Checks.positive("batch", c.batch());
        Checks.positive("workers", c.workers());
        Checks.runs(c.warmup(), c.reps());
    }

    @Override
    public BenchmarkResult run(Config c, BenchmarkContext context) throws Exception {
        return run(context.plugin(Backbone.class, c.backbone()), c, context);
    }

    private static <C> BenchmarkResult run(Backbone<C> backbone, Config c, BenchmarkContext context) throws IOException {
        int images = 8 * c.batch();
        int workers = c.workers();
        boolean flip = c.flip();
        int warmup = c.warmup();
        int reps = c.reps();
        Path tmp = Files.createTempDirectory("facex-extract-bench-");
        try {
            int perId = 16;
            SyntheticFaces.Result data = SyntheticFaces.builder(tmp).identities(0)
                    .heldOutIdentities(Math.max(2, (images + perId - 1) / perId)).imagesPerIdentity(perId).folds(0)
                    .threads(2).overwrite(true).generate();
            List<String> list = Files.readAllLines(data.imageList()).subList(0, images);
            // the peak RSS reported is extraction's, as `facex eval` on real files would see it, not the image generator's
            MachineLoad.startPeakHere();
            List<Double> ips = new ArrayList<>();
            FeatureExtractor extractor = new FeatureExtractor(workers, flip, ImageHeader.DEFAULT_MAX_PIXELS, false, c.batch());
            try (Embedder<C> e = new Embedder<>(backbone, backbone.defaultConfig(), null)) {
                for (int i = 0; i < warmup + reps && !context.stopRequested().getAsBoolean(); i++) {
                    long t = System.nanoTime();
                    extractor.extract(e, data.testRoot(), list, n -> { });
                    if (i >= warmup) {
                        ips.add(list.size() / ((System.nanoTime() - t) / 1e9));
                    }
                }
            }
            return BenchmarkResult.median(String.format(Locale.ROOT, "feature extraction %s (OpenCV decode + forward, "
                    + "eval mode), %d images per run, %d workers%s, %s threads", backbone.name(), images, workers,
                    flip ? ", flip fusion" : "", System.getProperty("ai.djl.pytorch.num_threads", "default")), "images/s",
                    ips.stream().mapToDouble(Double::doubleValue).toArray(), warmup);
        } finally {
            Checks.deleteTree(tmp);
        }
    }
}
