package io.facex.core.tools;

import io.facex.core.train.ListTrainingData;
import io.facex.api.TrainingData;
import io.facex.data.synthetic.SyntheticFaces;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Throughput of the data loader alone: decoding, augmentation and normalisation of a training list on
 * worker threads, batches drawn as fast as they come. Without a list, a synthetic one is generated.
 */
public final class LoaderBenchmark {

    private LoaderBenchmark() {
    }

    public static TrainBenchmark.Result run(Path dataRoot, Path trainFile, int batch, int workers, int warmup, int reps)
            throws IOException {
        Path tmp = null;
        if (trainFile == null) {
            tmp = Files.createTempDirectory("facex-loader-bench-");
            SyntheticFaces.Result r = SyntheticFaces.builder(tmp).identities(100)
                    .imagesPerIdentity(Math.max(4, (warmup + reps) * batch / 100 + 1)).heldOutIdentities(0)
                    .threads(2).overwrite(true).generate();
            dataRoot = r.trainRoot();
            trainFile = r.trainList();
        }
        TrainBenchmark.CpuClock cpu = new TrainBenchmark.CpuClock();
        List<Double> ips = new ArrayList<>();
        TrainingData data = ListTrainingData.open(dataRoot, trainFile, workers, 0, false, new ai.djl.ndarray.types.Shape(3, 112, 112),
                io.facex.api.Sampling.IMAGES, io.facex.api.Augmentation.conventional());
        try (ListTrainingData closing = (ListTrainingData) data;
             TrainingData.Batches batches = data.epoch(0, batch, 0)) {
            long last = System.nanoTime();
            for (int i = 0; i < warmup + reps && batches.hasNext(); i++) {
                TrainingData.Batch b = batches.next();
                long now = System.nanoTime();
                if (i >= warmup) {
                    ips.add(b.size() / ((now - last) / 1e9));
                }
                last = now;
            }
        } finally {
            if (tmp != null) {
                try (Stream<Path> s = Files.walk(tmp)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        if (ips.isEmpty()) {
            throw new IllegalStateException("the list has too few images for " + warmup + " warm-up batches and "
                    + reps + " timed ones of " + batch);
        }
        double[] s = ips.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new TrainBenchmark.Result(median, s[0], s[s.length - 1], TrainBenchmark.peakRss(),
                cpu.otherProcessesPercent(), s.length);
    }
}
