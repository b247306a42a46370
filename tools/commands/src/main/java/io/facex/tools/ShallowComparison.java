package io.facex.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facex.api.Backbone;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import io.facex.api.TrainingSummary;
import io.facex.core.jobs.Table;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.train.TrainCommand;
import io.facex.tools.synthetic.SyntheticFaces;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Semi-siamese training against conventional training on shallow data, the setting SST was made for:
 * synthetic faces with two images per identity, MobileFaceNet trained once conventionally (MV-Softmax)
 * and once semi-siamese (SST_Prototype) with the same backbone, epochs, batch size and seed, then both
 * verified on held-out identities with LFW's 10-fold protocol. Several seeds (each its own faces,
 * initialisation and data order) give the spread a difference has to clear before it means anything.
 */
public final class ShallowComparison {

    /**
     * @param identities training identities, two images each
     * @param queueSize  the SST head's queue (a multiple of the batch size)
     * @param side       the input side (MobileFaceNet's output grid is side / 16); the 112 × 112 synthetic
     *                   faces are resized to it for training and verification alike
     * @param seeds      one comparison per seed
     */
    public record Options(Path out, int identities, int heldOut, int pairsPerFold, double nuisance, int epochs,
                          int batchSize, double lr, String step, int queueSize, double alpha, int side, List<Long> seeds,
                          int workers) {

        public Options {
            seeds = List.copyOf(seeds);
        }

        /**
         * 200 identities at 48 × 48 for 30 epochs (lr 0.1, tenfold lower for the last six), batch 32, queue 64,
         * α 0.9, three seeds, verified on 300 held-out identities with 10 folds of 100 + 100 pairs: 5 to 13
         * minutes on two cores, depending on the CPU. A smaller verification set (100 identities, 30 + 30
         * pairs a fold) has a standard error of 2–3 points per model, as large as the gain, and let seeds
         * disagree.
         */
        public static Options defaults(Path out) {
            return new Options(out, 200, 300, 100, 0.6, 30, 32, 0.1, "24", 64, 0.9, 48, List.of(0L, 1L, 2L), 2);
        }
    }

    /** One seed's held-out accuracies (LFW's mean over ten folds) and their standard errors. */
    public record Run(long seed, ProtocolResult.Score conventional, ProtocolResult.Score semiSiamese) {
        public double gain() {
            return semiSiamese.value() - conventional.value();
        }
    }

    public static final String CONVENTIONAL = "conventional, MV-Softmax";
    public static final String SEMI_SIAMESE = "semi-siamese, SST_Prototype";

    private final PluginRegistry registry;

    public ShallowComparison(PluginRegistry registry) {
        this.registry = registry;
    }

    public List<Run> run(Options o, PrintStream out, boolean interactive) throws Exception {
        if (o.side() < 32 || o.side() % 16 != 0) {
            throw new IllegalArgumentException("--side must be a multiple of 16 from 32 (MobileFaceNet's output grid is "
                    + "side / 16), got " + o.side());
        }
        if (o.seeds().isEmpty()) {
            throw new IllegalArgumentException("--seeds names no seed");
        }
        List<Run> runs = new ArrayList<>();
        for (long seed : o.seeds()) {
            runs.add(runSeed(o, seed, o.seeds().size() == 1 ? o.out() : o.out().resolve("seed-" + seed), out, interactive));
        }
        Table t = table(runs);
        Files.writeString(o.out().resolve("results.md"), t.render(Table.Format.MD));
        Files.writeString(o.out().resolve("results.csv"), t.render(Table.Format.CSV));
        Files.writeString(o.out().resolve("results.json"), t.render(Table.Format.JSON));
        out.println();
        out.print(t.render(Table.Format.MD));
        return runs;
    }

    private Run runSeed(Options o, long seed, Path dir, PrintStream out, boolean interactive) throws Exception {
        Files.createDirectories(dir);
        Path data = dir.resolve("data");
        out.printf("seed %d, 1/3: generating %d shallow training identities (2 images each) and %d held-out identities in %s%n",
                seed, o.identities(), o.heldOut(), data);
        SyntheticFaces.Result faces = SyntheticFaces.builder(data).identities(o.identities()).imagesPerIdentity(2)
                .heldOutIdentities(o.heldOut()).folds(10).pairsPerFold(o.pairsPerFold()).nuisance(o.nuisance())
                .seed(seed).threads(2).overwrite(true).generate();
        int grid = o.side() / 16;
        Map<String, Object> backbone = grid == 7 ? Map.of() : Map.of("out_h", grid, "out_w", grid);
        TestProtocol<?> lfw = registry.get(TestProtocol.class, "LFW");
        Backbone<?> net = registry.get(Backbone.class, "MobileFaceNet");
        ProtocolResult.Score[] scores = new ProtocolResult.Score[2];
        String[][] trainings = {{CONVENTIONAL, "conventional", "MV-Softmax"}, {SEMI_SIAMESE, "semi-siamese", "SST_Prototype"}};
        for (int i = 0; i < 2; i++) {
            String[] run = trainings[i];
            out.printf("seed %d, 2/3: training MobileFaceNet %s (%d epochs, batch %d, %d × %d)%n", seed, run[0], o.epochs(),
                    o.batchSize(), o.side(), o.side());
            ObjectNode cli = QuickStart.trainOptions(faces, dir.resolve(run[1]), o.epochs(), o.batchSize(), o.lr(), o.step(),
                    seed, o.workers());
            cli.put("mode", run[1]);
            cli.put("head_type", run[2]);
            if (!backbone.isEmpty()) {
                ObjectNode b = cli.putObject("backbone");
                backbone.forEach((k, v) -> b.put(k, (Integer) v));
            }
            if (run[1].equals("semi-siamese")) {
                cli.putObject("head").put("queue_size", o.queueSize());
                cli.put("alpha", o.alpha());
            }
            TrainingSummary summary = new TrainCommand(registry, TrainCommand.LISTS).run(null, cli, out, interactive);
            out.printf("seed %d, 3/3: verifying held-out pairs with %s (LFW 10-fold protocol)%n", seed, run[0]);
            scores[i] = QuickStart.verify(lfw, faces, net, backbone, summary.lastCheckpoint(),
                    Files.createDirectories(dir.resolve("verification").resolve(run[1])));
            out.printf(Locale.ROOT, "seed %d: %s verifies %.4f of the held-out pairs (std error %.4f)%n", seed, run[0],
                    scores[i].value(), scores[i].stdError());
        }
        return new Run(seed, scores[0], scores[1]);
    }

    /** One row per seed, then the mean and the standard deviation over seeds (with two or more). */
    static Table table(List<Run> runs) {
        Table t = new Table("seed", CONVENTIONAL, "std error", SEMI_SIAMESE, "std error", "SST gain");
        for (Run r : runs) {
            t.add(Long.toString(r.seed()), f(r.conventional().value()), f(r.conventional().stdError()),
                    f(r.semiSiamese().value()), f(r.semiSiamese().stdError()), signed(r.gain()));
        }
        if (runs.size() > 1) {
            double[] c = runs.stream().mapToDouble(r -> r.conventional().value()).toArray();
            double[] s = runs.stream().mapToDouble(r -> r.semiSiamese().value()).toArray();
            double[] g = runs.stream().mapToDouble(Run::gain).toArray();
            t.add("mean", f(mean(c)), "", f(mean(s)), "", signed(mean(g)));
            t.add("sd over seeds", f(sd(c)), "", f(sd(s)), "", f(sd(g)));
        }
        return t;
    }

    static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    /** Sample standard deviation (n − 1). */
    static double sd(double[] x) {
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String signed(double v) {
        return String.format(Locale.ROOT, "%+.4f", v);
    }
}
