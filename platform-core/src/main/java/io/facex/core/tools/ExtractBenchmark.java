package io.facex.core.tools;

import io.facex.api.Backbone;
import io.facex.core.embed.Embedder;
import io.facex.core.eval.FeatureExtractor;
import io.facex.data.synthetic.SyntheticFaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Throughput of feature extraction as {@code facex eval} runs it: JPEG decoding on worker threads ahead
 * of the network's forward pass in eval mode, over a synthetic image list; each repetition extracts the
 * whole list, and images per second of each are reported (median after warm-up).
 */
public final class ExtractBenchmark {

    private ExtractBenchmark() {
    }

    public static <C> TrainBenchmark.Result run(Backbone<C> backbone, int images, int workers, boolean flip, int warmup,
                                                int reps) throws IOException {
        Path tmp = Files.createTempDirectory("facex-extract-bench-");
        try {
            int perId = 16;
            SyntheticFaces.Result data = SyntheticFaces.builder(tmp).identities(0)
                    .heldOutIdentities(Math.max(2, (images + perId - 1) / perId)).imagesPerIdentity(perId).folds(0)
                    .threads(2).overwrite(true).generate();
            List<String> list = Files.readAllLines(data.imageList()).subList(0, images);
            TrainBenchmark.CpuClock cpu = new TrainBenchmark.CpuClock();
            List<Double> ips = new ArrayList<>();
            FeatureExtractor extractor = new FeatureExtractor(workers, flip);
            try (Embedder<C> e = new Embedder<>(backbone, backbone.defaultConfig(), null)) {
                for (int i = 0; i < warmup + reps; i++) {
                    long t = System.nanoTime();
                    extractor.extract(e, data.testRoot(), list, n -> { });
                    if (i >= warmup) {
                        ips.add(list.size() / ((System.nanoTime() - t) / 1e9));
                    }
                }
            }
            double[] s = ips.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
            return new TrainBenchmark.Result(median, s[0], s[s.length - 1], TrainBenchmark.peakRss(),
                    cpu.otherProcessesPercent(), s.length);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
