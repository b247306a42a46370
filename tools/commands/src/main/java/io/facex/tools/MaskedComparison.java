package io.facex.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facex.api.ProtocolResult;
import io.facex.api.TrainingSummary;
import io.facex.core.eval.EvalCommand;
import io.facex.core.jobs.Table;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.sdk.FaceSdk;
import io.facex.core.sdk.MaskBatch;
import io.facex.core.train.TrainCommand;
import io.facex.data.TrainList;
import io.facex.data.TrainListMerge;
import io.facex.tools.synthetic.SyntheticDevkit;
import io.facex.tools.synthetic.SyntheticFaces;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The masked-face recipes of FaceX-Zoo's paper (its Figure 7) on synthetic data, the whole masked path
 * end to end: synthetic training faces and a synthetic MegaFace devkit, both masked with FMA-3D along
 * the faces' own landmarks ({@code facex addmask --landmarks}); MobileFaceNet + MV-Softmax trained on
 * (a) the unmasked faces, (b) their upper halves ({@code crop_eye}), (c) the faces plus their masked
 * copies; then MegaFace and MegaFace-Mask (masked probes) for each model and for the ensembles
 * (a)+(b) and (c)+(b), features concatenated.
 */
public final class MaskedComparison {

    /**
     * @param probes      FaceScrub-like probe identities of the devkit
     * @param probeImages images of each probe identity
     * @param distractors MegaFace-like distractors, one identity each
     */
    public record Options(Path out, int identities, int images, int probes, int probeImages, int distractors,
                          double nuisance, int epochs, int batchSize, double lr, String step, long seed, int workers) {

        /**
         * The quick start's training set (200 identities × 16 images, nuisance 0.6, five epochs at lr 0.01),
         * and a devkit of 80 probe identities × 5 images against 1,000 distractors.
         */
        public static Options defaults(Path out) {
            return new Options(out, 200, 16, 80, 5, 1000, 0.6, 5, 32, 0.01, "4", 0, 2);
        }
    }

    /** One recipe's rank-1 identification rates at the devkit's largest distractor count. */
    public record Row(String recipe, String models, double megaface, double megafaceMask) {
    }

    public static final String FULL = "(a) full faces";
    public static final String UPPER = "(b) upper half (crop_eye)";
    public static final String MIXED = "(c) faces + masked faces";
    public static final String ENSEMBLE_FULL = "(a)+(b) ensemble";
    public static final String ENSEMBLE_MIXED = "(c)+(b) ensemble";

    private final PluginRegistry registry;

    public MaskedComparison(PluginRegistry registry) {
        this.registry = registry;
    }

    public List<Row> run(Options o, PrintStream out, boolean interactive) throws Exception {
        Path data = Files.createDirectories(o.out()).resolve("data");
        out.printf("1/5 generating %d training identities x %d images, and a MegaFace devkit of %d probe identities x %d "
                + "images and %d distractors, in %s%n", o.identities(), o.images(), o.probes(), o.probeImages(),
                o.distractors(), data);
        SyntheticFaces.Result faces = SyntheticFaces.builder(data).identities(o.identities()).imagesPerIdentity(o.images())
                .heldOutIdentities(0).nuisance(o.nuisance()).seed(o.seed()).threads(2).overwrite(true).generate();
        SyntheticDevkit.Result kit = SyntheticDevkit.builder(data.resolve("megaface")).identities(o.probes())
                .imagesPerIdentity(o.probeImages()).distractors(o.distractors()).nuisance(o.nuisance()).seed(o.seed())
                .standInMasks(false).write();

        out.println("2/5 masking the training faces and the probes with FMA-3D along their landmarks (facex addmask --landmarks)");
        Path maskedRoot = data.resolve("train_masked");
        Path maskedList = maskedRoot.resolve("train_list.txt");
        Path probes = kit.croppedFaceFolder().resolve(SyntheticDevkit.FACESCRUB_CROP);
        Path maskedProbes = kit.croppedFaceFolder().resolve(SyntheticDevkit.MASKED_FACESCRUB_CROP);
        try (FaceSdk sdk = FaceSdk.builder().registry(registry).masker("FMA-3D", Map.of()).build()) {
            MaskBatch.Result train = MaskBatch.run(sdk, faces.trainRoot(), maskedRoot, MaskBatch.readTrainingList(faces.trainList()),
                    MaskBatch.readLandmarks(faces.trainLandmarks()), null, -1, o.seed(), o.workers(), out, interactive);
            Files.write(maskedList, train.lines(), StandardCharsets.UTF_8);
            out.printf(Locale.ROOT, "    %d of %d training images masked (%.1f images/s)%s%n", train.written(), faces.trainImages(),
                    train.imagesPerSecond(), train.skipped().isEmpty() ? "" : "; skipped: " + maskedRoot.resolve(MaskBatch.REPORT));
            List<MaskBatch.Item> probeItems = kit.facescrubPaths().stream().map(p -> new MaskBatch.Item(p, null)).toList();
            MaskBatch.Result masked = MaskBatch.run(sdk, probes, maskedProbes, probeItems,
                    MaskBatch.readLandmarks(kit.facescrubLandmarks()), null, -1, o.seed(), o.workers(), out, interactive);
            if (!masked.skipped().isEmpty()) {
                // every probe of MegaFace-Mask is a masked image; an unmasked stand-in would flatter the result
                throw new IllegalStateException(masked.skipped().size() + " probe(s) took no mask, e.g. "
                        + masked.skipped().get(0) + " (all in " + maskedProbes.resolve(MaskBatch.REPORT) + ")");
            }
            out.printf(Locale.ROOT, "    %d probes masked (%.1f images/s)%n", masked.written(), masked.imagesPerSecond());
        }
        TrainList merged = TrainListMerge.merge(List.of(TrainList.read(faces.trainList(), faces.trainRoot()),
                TrainList.read(maskedList, maskedRoot)), data);
        Path mergedList = data.resolve("merged_list.txt");
        merged.write(mergedList);

        Path full = train(o, out, interactive, "3/5", FULL, faces.trainRoot(), faces.trainList(), o.out().resolve("full"), false);
        Path upper = train(o, out, interactive, "3/5", UPPER, faces.trainRoot(), faces.trainList(), o.out().resolve("upper"), true);
        Path mixed = train(o, out, interactive, "4/5", MIXED, data, mergedList, o.out().resolve("mixed"), false);

        out.println("5/5 MegaFace and MegaFace-Mask (masked probes against unmasked galleries), each recipe (facex eval)");
        String megaface = Files.readString(kit.dataConf());
        String section = megaface.substring(megaface.indexOf("MegaFace:"));
        Path dataConf = Files.writeString(o.out().resolve("data_conf.yaml"), section
                + section.replace("MegaFace:", "MegaFace-Mask:").replace("megaface-mask: 0", "megaface-mask: 1"));
        Map<String, String> recipes = new LinkedHashMap<>();
        recipes.put(FULL, full.toString());
        recipes.put(UPPER, upper.toString());
        recipes.put(MIXED, mixed.toString());
        recipes.put(ENSEMBLE_FULL, full + "+" + upper);
        recipes.put(ENSEMBLE_MIXED, mixed + "+" + upper);
        Path evalDir = o.out().resolve("eval");
        Path cache = evalDir.resolve("feature_cache");
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, String> r : recipes.entrySet()) {
            String name = r.getKey().substring(0, r.getKey().indexOf(' ')).replace("(", "").replace(")", "");
            List<EvalCommand.Row> scores = new EvalCommand(registry).run(new EvalCommand.Options(dataConf, List.of("MegaFace",
                    "MegaFace-Mask"), "", null, Path.of(r.getValue()), evalDir.resolve(name), cache, false, o.workers(),
                    io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS), out, interactive);
            rows.add(new Row(r.getKey(), r.getValue(), rank1(scores, "MegaFace@"), rank1(scores, "MegaFace-Mask@")));
        }
        Table t = table(rows);
        Files.writeString(o.out().resolve("results.md"), t.render(Table.Format.MD));
        Files.writeString(o.out().resolve("results.csv"), t.render(Table.Format.CSV));
        Files.writeString(o.out().resolve("results.json"), t.render(Table.Format.JSON));
        out.println();
        out.print(t.render(Table.Format.MD));
        out.printf("%nresults: %s; each recipe's CMC curves and every metric under %s%n", o.out().resolve("results.md"), evalDir);
        return rows;
    }

    private Path train(Options o, PrintStream out, boolean interactive, String step, String recipe, Path root, Path list,
                       Path dir, boolean cropEye) throws Exception {
        out.printf("%s training MobileFaceNet + MV-Softmax, %s (%d epochs, batch %d)%n", step, recipe, o.epochs(), o.batchSize());
        ObjectNode cli = QuickStart.trainOptions(root, list, dir, o.epochs(), o.batchSize(), o.lr(), o.step(), o.seed(), o.workers());
        if (cropEye) {
            // FaceX-Zoo's upper-face model: the top 60 rows of the 112 × 112 face, MobileFaceNet's grid 4 × 7
            cli.put("crop_eye", true);
            cli.putObject("backbone").put("out_h", 4);
        }
        TrainingSummary s = new TrainCommand(registry, TrainCommand.LISTS).run(null, cli, out, interactive);
        return s.lastCheckpoint();
    }

    /** The rank-1 rate at the largest distractor count a protocol reported. */
    static double rank1(List<EvalCommand.Row> scores, String prefix) {
        ProtocolResult.Score best = null;
        int most = -1;
        for (EvalCommand.Row r : scores) {
            ProtocolResult.Score s = r.score();
            if (s.benchmark().startsWith(prefix) && s.metric().equals("rank-1")) {
                int n = Integer.parseInt(s.benchmark().substring(prefix.length()));
                if (n > most) {
                    most = n;
                    best = s;
                }
            }
        }
        if (best == null) {
            throw new IllegalStateException("no " + prefix + "N rank-1 among the scores");
        }
        return best.value();
    }

    static Table table(List<Row> rows) {
        Table t = new Table("recipe", "MegaFace rank-1", "MegaFace-Mask rank-1");
        for (Row r : rows) {
            t.add(r.recipe(), f(r.megaface()), f(r.megafaceMask()));
        }
        return t;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
