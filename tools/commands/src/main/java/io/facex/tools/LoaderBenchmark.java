package io.facex.tools;

import ai.djl.ndarray.types.Shape;
import io.facex.api.Augmentation;
import io.facex.api.AbstractPlugin;
import io.facex.api.Benchmark;
import io.facex.api.BenchmarkContext;
import io.facex.api.BenchmarkResult;
import io.facex.api.Sampling;
import io.facex.api.TrainingData;
import io.facex.core.train.ListTrainingData;
import io.facex.tools.synthetic.SyntheticFaces;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code facex bench loader}: throughput of the data loader alone, decoding, augmentation and
 * normalisation of a training list on worker threads, batches drawn as fast as they come. Without a
 * list, a synthetic one is generated.
 */
public final class LoaderBenchmark extends AbstractPlugin<LoaderBenchmark.Config>
        implements Benchmark<LoaderBenchmark.Config> {

    /**
     * @param dataRoot  folder the list's paths are relative to ("" with no list)
     * @param trainFile a training list to read ("" for a generated one)
     */
    public record Config(int batch, int workers, int warmup, int reps, String dataRoot, String trainFile) {
    }

    public LoaderBenchmark() {
        super("loader", "the training data loader alone (OpenCV decode + flip + normalise on worker threads): images/s", Config.class,
                new Config(32, 2, 3, 10, "", ""));
    }

    @Override
    public void validate(Config c) {
        Checks.positive("batch", c.batch());
        Checks.positive("workers", c.workers());
        Checks.runs(c.warmup(), c.reps());
    }

    @Override
    public BenchmarkResult run(Config c, BenchmarkContext context) throws Exception {
        Path tmp = null;
        Path dataRoot = c.dataRoot().isEmpty() ? null : Path.of(c.dataRoot());
        Path trainFile = c.trainFile().isEmpty() ? null : Path.of(c.trainFile());
        if (trainFile == null) {
            tmp = Files.createTempDirectory("facex-loader-bench-");
            SyntheticFaces.Result r = SyntheticFaces.builder(tmp).identities(100)
                    .imagesPerIdentity(Math.max(4, (c.warmup() + c.reps()) * c.batch() / 100 + 1)).heldOutIdentities(0)
                    .threads(2).overwrite(true).generate();
            dataRoot = r.trainRoot();
            trainFile = r.trainList();
        } else if (dataRoot == null) {
            dataRoot = trainFile.toAbsolutePath().getParent();
        }
        List<Double> ips = new ArrayList<>();
        TrainingData data = ListTrainingData.open(dataRoot, trainFile, c.workers(), 0, false, new Shape(3, 112, 112),
                Sampling.IMAGES, Augmentation.conventional());
        try (ListTrainingData closing = (ListTrainingData) data;
             TrainingData.Batches batches = data.epoch(0, c.batch(), 0)) {
            long last = System.nanoTime();
            for (int i = 0; i < c.warmup() + c.reps() && batches.hasNext() && !context.stopRequested().getAsBoolean(); i++) {
                TrainingData.Batch b = batches.next();
                long now = System.nanoTime();
                if (i >= c.warmup()) {
                    ips.add(b.size() / ((now - last) / 1e9));
                }
                last = now;
            }
        } finally {
            if (tmp != null) {
                Checks.deleteTree(tmp);
            }
        }
        if (ips.isEmpty()) {
            throw new IllegalStateException("the list has too few images for " + c.warmup() + " warm-up batches and "
                    + c.reps() + " timed ones of " + c.batch());
        }
        return BenchmarkResult.median(String.format(Locale.ROOT,
                "data loader (OpenCV decode + flip + normalise), batch %d, %d workers", c.batch(), c.workers()),
                "images/s", ips.stream().mapToDouble(Double::doubleValue).toArray(), c.warmup());
    }
}
