package io.facex.tools;

import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import io.facex.api.TrainingSummary;
import io.facex.api.Backbone;
import io.facex.core.jobs.Table;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.train.TrainCommand;
import io.facex.tools.synthetic.SyntheticFaces;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Semi-siamese training against conventional training on shallow data, the setting SST was made for:
 * synthetic faces with two images per identity, MobileFaceNet trained once conventionally (MV-Softmax)
 * and once semi-siamese (SST_Prototype) with the same backbone, epochs, batch size and seed, then both
 * verified on held-out identities with LFW's 10-fold protocol.
 */
public final class ShallowComparison {

    /**
     * @param identities training identities, two images each
     * @param queueSize  the SST head's queue (a multiple of the batch size)
     * @param side       the input side (MobileFaceNet's output grid is side / 16); the synthetic faces are
     *                   112 × 112, and verification takes faces at the model's input size
     */
    public record Options(Path out, int identities, int heldOut, int pairsPerFold, double nuisance, int epochs,
                          int batchSize, double lr, String step, int queueSize, double alpha, int side, long seed, int workers) {

        public static Options defaults(Path out) {
            return new Options(out, 600, 100, 30, 0.6, 6, 32, 0.1, "4", 64, 0.9, 112, 0, 2);
        }
    }

    /** The two rows of the result: the name of each training and its held-out accuracy. */
    public static final String CONVENTIONAL = "conventional, MV-Softmax";
    public static final String SEMI_SIAMESE = "semi-siamese, SST_Prototype";

    private final PluginRegistry registry;

    public ShallowComparison(PluginRegistry registry) {
        this.registry = registry;
    }

    public Map<String, ProtocolResult.Score> run(Options o, PrintStream out, boolean interactive) throws Exception {
        Files.createDirectories(o.out());
        Path data = o.out().resolve("data");
        out.printf("1/3 generating %d shallow training identities (2 images each) and %d held-out identities in %s%n",
                o.identities(), o.heldOut(), data);
        SyntheticFaces.Result faces = SyntheticFaces.builder(data).identities(o.identities()).imagesPerIdentity(2)
                .heldOutIdentities(o.heldOut()).folds(10).pairsPerFold(o.pairsPerFold()).nuisance(o.nuisance())
                .seed(o.seed()).threads(2).overwrite(true).generate();
        Map<String, ProtocolResult.Score> results = new LinkedHashMap<>();
        Map<String, TrainingSummary> runs = new LinkedHashMap<>();
        int grid = o.side() / 16;
        for (String[] run : new String[][] {{CONVENTIONAL, "conventional", "MV-Softmax"}, {SEMI_SIAMESE, "semi-siamese", "SST_Prototype"}}) {
            out.printf("2/3 training MobileFaceNet %s (%d epochs, batch %d, seed %d)%n", run[0], o.epochs(), o.batchSize(), o.seed());
            com.fasterxml.jackson.databind.node.ObjectNode cli = QuickStart.trainOptions(faces, o.out().resolve(run[1]),
                    o.epochs(), o.batchSize(), o.lr(), o.step(), o.seed(), o.workers());
            cli.put("mode", run[1]);
            cli.put("head_type", run[2]);
            if (grid != 7) {
                com.fasterxml.jackson.databind.node.ObjectNode backbone = cli.putObject("backbone");
                backbone.put("out_h", grid);
                backbone.put("out_w", grid);
            }
            if (run[1].equals("semi-siamese")) {
                cli.putObject("head").put("queue_size", o.queueSize());
                cli.put("alpha", o.alpha());
            }
            runs.put(run[0], new TrainCommand(registry, TrainCommand.LISTS).run(null, cli, out, interactive));
        }
        out.println("3/3 verifying held-out pairs (LFW 10-fold protocol)");
        TestProtocol<?> lfw = registry.get(TestProtocol.class, "LFW");
        Backbone<?> net = registry.get(Backbone.class, "MobileFaceNet");
        for (Map.Entry<String, TrainingSummary> e : runs.entrySet()) {
            results.put(e.getKey(), QuickStart.verify(lfw, faces, net,
                    grid == 7 ? Map.of() : Map.of("out_h", grid, "out_w", grid), e.getValue().lastCheckpoint(),
                    Files.createDirectories(o.out().resolve("verification").resolve(e.getKey().replaceAll("[^a-zA-Z]+", "_")))));
        }
        Table t = new Table("training", "held-out accuracy", "std error");
        results.forEach((k, r) -> t.add(k, String.format(Locale.ROOT, "%.4f", r.value()),
                String.format(Locale.ROOT, "%.4f", r.stdError())));
        Files.writeString(o.out().resolve("results.md"), t.render(Table.Format.MD));
        Files.writeString(o.out().resolve("results.csv"), t.render(Table.Format.CSV));
        Files.writeString(o.out().resolve("results.json"), t.render(Table.Format.JSON));
        out.println();
        out.print(t.render(Table.Format.MD));
        return results;
    }
}
