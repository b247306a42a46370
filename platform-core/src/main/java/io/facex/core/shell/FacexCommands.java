package io.facex.core.shell;

import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.core.nn.BlockStats;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginProblem;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.registry.UnknownPluginException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code facex} scope of the Gogo shell. Each command prints to {@code System.out}, which Gogo
 * routes to the calling session, and throws on failure so that {@code bin/facex CMD} exits non-zero.
 */
public final class FacexCommands {

    /** The functions registered in the {@code facex} scope; only commands that work are listed. */
    public static final String[] FUNCTIONS = {"list", "info", "quickstart", "train", "trainlist", "bench", "embed", "eval"};

    private final PluginRegistry registry;

    public FacexCommands(PluginRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("List every installed plugin by kind, with the bundle and version it comes from")
    public void list(
            @Descriptor("output format: text, md, csv or json")
            @Parameter(names = {"-f", "--format"}, absentValue = "text") String format) {
        Table.Format fmt = Table.Format.parse(format);
        Table t = new Table("kind", "name", "description", "bundle", "version");
        for (PluginInfo p : registry.list()) {
            t.add(p.kind().id(), p.name(), p.plugin().description(), p.origin(), p.version());
        }
        PrintStream out = System.out;
        out.print(t.render(fmt));
        List<PluginProblem> problems = registry.problems();
        if (!problems.isEmpty() && fmt == Table.Format.TEXT) {
            out.println();
            out.println("Not available:");
            for (PluginProblem p : problems) {
                out.println("  " + p.subject() + " (" + p.origin() + "): " + p.message());
            }
        }
    }

    @Descriptor("Show a plugin's description, bundle, default configuration and, for a backbone, its parameter count")
    public void info(
            @Descriptor("plugin kind, when a name is used by more than one kind (backbone, head, ...)")
            @Parameter(names = {"-k", "--kind"}, absentValue = "") String kind,
            @Descriptor("a YAML or JSON file with a section for this plugin (FaceX-Zoo's backbone_conf.yaml works)")
            @Parameter(names = {"-c", "--config"}, absentValue = "") String configFile,
            @Descriptor("plugin name, as in FaceX-Zoo (MobileFaceNet, MV-Softmax, ...)") String name) {
        PluginInfo info = resolve(kind, name);
        Plugin<?> plugin = info.plugin();
        PrintStream out = System.out;
        out.println(plugin.name() + " (" + info.kind().id() + ")");
        out.println("  " + plugin.description());
        out.println("  bundle: " + info.origin() + " " + info.version());
        Path file = configFile.isEmpty() ? null : Path.of(configFile);
        registry.use(info, () -> {
            describe(plugin, file, out);
            return null;
        });
    }

    @Descriptor("The main job on its embedded default: generate synthetic faces, train MobileFaceNet + MV-Softmax, "
            + "verify held-out pairs with LFW's 10-fold protocol and print the accuracy")
    public void quickstart(
            @Descriptor("working folder (data, checkpoints, results)") @Parameter(names = {"-o", "--out"}, absentValue = "quickstart") String out,
            @Descriptor("training identities") @Parameter(names = {"--identities"}, absentValue = "0") int identities,
            @Descriptor("images per identity") @Parameter(names = {"--images"}, absentValue = "0") int images,
            @Descriptor("epochs") @Parameter(names = {"--epoches"}, absentValue = "0") int epochs,
            @Descriptor("learning rate") @Parameter(names = {"--lr"}, absentValue = "0") double lr,
            @Descriptor("held-out identities for verification") @Parameter(names = {"--held-out"}, absentValue = "0") int heldOut,
            @Descriptor("same and different pairs per fold (10 folds)") @Parameter(names = {"--pairs"}, absentValue = "0") int pairs,
            @Descriptor("strength of pose, lighting, occlusion and noise (0 none, 1 strongest; default 0.6)") @Parameter(names = {"--nuisance"}, absentValue = "-1") double nuisance,
            @Descriptor("epochs after which lr drops tenfold, e.g. '2,3' (default: before the last epoch)") @Parameter(names = {"--step"}, absentValue = "") String step,
            @Descriptor("seed of the synthetic faces, the initialisation and the data order (default 0)") @Parameter(names = {"--seed"}, absentValue = "0") long seed)
            throws Exception {
        io.facex.core.train.QuickStart.Options d = io.facex.core.train.QuickStart.Options.defaults(Path.of(out));
        int e = epochs > 0 ? epochs : d.epochs();
        io.facex.core.train.QuickStart.Options o = new io.facex.core.train.QuickStart.Options(d.out(),
                identities > 0 ? identities : d.identities(), images > 0 ? images : d.images(),
                heldOut > 0 ? heldOut : d.heldOut(), pairs > 0 ? pairs : d.pairsPerFold(),
                nuisance >= 0 ? nuisance : d.nuisance(), e, d.batchSize(), lr > 0 ? lr : d.lr(),
                !step.isEmpty() ? step : Integer.toString(Math.max(1, e - 1)), seed, d.workers());
        new io.facex.core.train.QuickStart(registry).run(o, System.out, System.console() != null);
    }

    @Descriptor("Train a face recognition model (FaceX-Zoo train.py's options; a --config file may hold any of them)")
    public void train(
            @Descriptor("YAML/JSON file of options (keys as the options below, without --)") @Parameter(names = {"-c", "--config"}, absentValue = "") String config,
            @Descriptor("folder the training list's paths are relative to") @Parameter(names = {"--data_root"}, absentValue = "") String dataRoot,
            @Descriptor("training list: relative/path.jpg label per line") @Parameter(names = {"--train_file"}, absentValue = "") String trainFile,
            @Descriptor("backbone name (default MobileFaceNet)") @Parameter(names = {"--backbone_type"}, absentValue = "") String backboneType,
            @Descriptor("backbone configuration file (FaceX-Zoo backbone_conf.yaml)") @Parameter(names = {"--backbone_conf_file"}, absentValue = "") String backboneConf,
            @Descriptor("head name (default MV-Softmax)") @Parameter(names = {"--head_type"}, absentValue = "") String headType,
            @Descriptor("head configuration file (FaceX-Zoo head_conf.yaml); without it num_class follows the data") @Parameter(names = {"--head_conf_file"}, absentValue = "") String headConf,
            @Descriptor("training mode (default conventional)") @Parameter(names = {"--mode"}, absentValue = "") String mode,
            @Descriptor("initial learning rate (0.1)") @Parameter(names = {"--lr"}, absentValue = "") String lr,
            @Descriptor("output folder for checkpoints, log, CSV and plot (out)") @Parameter(names = {"--out_dir"}, absentValue = "") String outDir,
            @Descriptor("epochs (9)") @Parameter(names = {"--epoches"}, absentValue = "") String epoches,
            @Descriptor("epochs where lr is multiplied by 0.1 (\"2,5,7\")") @Parameter(names = {"--step"}, absentValue = "") String step,
            @Descriptor("log every N batches (10)") @Parameter(names = {"--print_freq"}, absentValue = "") String printFreq,
            @Descriptor("save Epoch_N_batch_M every N batches (10)") @Parameter(names = {"--save_freq"}, absentValue = "") String saveFreq,
            @Descriptor("images per step (128)") @Parameter(names = {"--batch_size"}, absentValue = "") String batchSize,
            @Descriptor("SGD momentum (0.9)") @Parameter(names = {"--momentum"}, absentValue = "") String momentum,
            @Descriptor("weight decay (1e-4)") @Parameter(names = {"--weight_decay"}, absentValue = "") String weightDecay,
            @Descriptor("seed for initialisation and data order (0)") @Parameter(names = {"--seed"}, absentValue = "") String seed,
            @Descriptor("image decoding threads (2)") @Parameter(names = {"--workers"}, absentValue = "") String workers,
            @Descriptor("weights to start from (FaceX-Zoo .pt, a checkpoint); with --resume: the checkpoint to continue from") @Parameter(names = {"--pretrain_model"}, absentValue = "") String pretrain,
            @Descriptor("skip and count unreadable images instead of stopping at the first") @Parameter(names = {"--skip_bad_images"}, presentValue = "true", absentValue = "") String skipBad,
            @Descriptor("continue an interrupted job exactly (newest checkpoint in out_dir unless --pretrain_model)") @Parameter(names = {"-r", "--resume"}, presentValue = "true", absentValue = "") String resume)
            throws Exception {
        java.util.Map<String, String> cli = new java.util.LinkedHashMap<>();
        String[][] given = {{"data_root", dataRoot}, {"train_file", trainFile}, {"backbone_type", backboneType},
            {"backbone_conf_file", backboneConf}, {"head_type", headType}, {"head_conf_file", headConf}, {"mode", mode},
            {"lr", lr}, {"out_dir", outDir}, {"epoches", epoches}, {"step", step}, {"print_freq", printFreq},
            {"save_freq", saveFreq}, {"batch_size", batchSize}, {"momentum", momentum}, {"weight_decay", weightDecay},
            {"seed", seed}, {"workers", workers}, {"pretrain_model", pretrain}, {"resume", resume},
            {"skip_bad_images", skipBad}};
        for (String[] kv : given) {
            if (!kv[1].isEmpty()) {
                cli.put(kv[0], kv[1]);
            }
        }
        if (cli.containsKey("step")) {
            cli.put("step", "'" + cli.get("step") + "'"); // keep "2,5,7" a string
        }
        io.facex.api.TrainingSummary sum = new io.facex.core.train.TrainCommand(registry,
                io.facex.core.train.ListTrainingData::open)
                .run(config.isEmpty() ? null : Path.of(config), cli, System.out, System.console() != null);
        System.out.printf("trained %d epochs, %d steps; loss %.4f -> %.4f; last checkpoint %s%n", sum.epochs(), sum.steps(),
                sum.firstLoss(), sum.lastLoss(), sum.lastCheckpoint());
    }

    @Descriptor("Write a training list (relative/path.jpg label) from a folder of identity folders: sorted folders get labels 0..N-1")
    public void trainlist(
            @Descriptor("folder of identity folders") String root,
            @Descriptor("list file to write") String output) throws Exception {
        io.facex.data.TrainList l = io.facex.data.TrainList.writeFromFolders(Path.of(root), Path.of(output));
        System.out.printf("%d images of %d identities -> %s%n", l.size(), l.numClasses(), output);
    }

    @Descriptor("Measure throughput: 'train' times the training step alone (forward + backward + update) on random "
            + "batches; 'loader' times the data loader alone (a synthetic list unless --train_file is given); 'extract' "
            + "times feature extraction for evaluation (8 x --batch synthetic images per run)")
    public void bench(
            @Descriptor("backbone name") @Parameter(names = {"-b", "--backbone"}, absentValue = "MobileFaceNet") String backbone,
            @Descriptor("head name") @Parameter(names = {"-H", "--head"}, absentValue = "MV-Softmax") String head,
            @Descriptor("training mode") @Parameter(names = {"-m", "--mode"}, absentValue = "conventional") String mode,
            @Descriptor("images per step") @Parameter(names = {"--batch"}, absentValue = "32") int batch,
            @Descriptor("identities (the head's width; FaceX-Zoo trains with 72778)") @Parameter(names = {"--classes"}, absentValue = "72778") int classes,
            @Descriptor("untimed steps first") @Parameter(names = {"--warmup"}, absentValue = "3") int warmup,
            @Descriptor("timed steps (the median is reported)") @Parameter(names = {"--reps"}, absentValue = "10") int reps,
            @Descriptor("loader: image decoding threads") @Parameter(names = {"--workers"}, absentValue = "2") int workers,
            @Descriptor("loader: folder the list's paths are relative to") @Parameter(names = {"--data_root"}, absentValue = "") String dataRoot,
            @Descriptor("loader: a training list to read") @Parameter(names = {"--train_file"}, absentValue = "") String trainFile,
            @Descriptor("what to measure: train, loader or extract") String what) throws Exception {
        if (what.equals("loader")) {
            io.facex.core.train.TrainBenchmark.print(io.facex.core.train.LoaderBenchmark.run(
                    dataRoot.isEmpty() ? null : Path.of(dataRoot), trainFile.isEmpty() ? null : Path.of(trainFile),
                    batch, workers, warmup, reps), String.format("data loader (OpenCV decode + flip + normalise), batch %d, %d workers",
                    batch, workers), System.out);
            return;
        }
        if (what.equals("extract")) {
            if (reps < 1 || warmup < 0 || batch < 1) {
                throw new IllegalArgumentException("--batch and --reps must be ≥ 1, --warmup ≥ 0");
            }
            Backbone<?> b = registry.get(Backbone.class, backbone);
            int images = batch * 8;
            io.facex.core.train.TrainBenchmark.print(io.facex.core.eval.ExtractBenchmark.run(b, images, workers, false,
                    warmup, reps), String.format("feature extraction %s (OpenCV decode + forward, eval mode), %d images per "
                    + "run, %d workers, %s threads", backbone, images, workers,
                    System.getProperty("ai.djl.pytorch.num_threads", "default")), System.out);
            return;
        }
        if (!what.equals("train")) {
            throw new IllegalArgumentException("unknown benchmark '" + what + "'; available: train, loader, extract");
        }
        if (batch < 1 || reps < 1 || warmup < 0 || classes < 2) {
            throw new IllegalArgumentException("--batch and --reps must be ≥ 1, --warmup ≥ 0, --classes ≥ 2");
        }
        io.facex.core.train.TrainBenchmark.Result r = new io.facex.core.train.TrainBenchmark(registry)
                .run(mode, backbone, head, batch, classes, warmup, reps);
        io.facex.core.train.TrainBenchmark.print(r, String.format("training step %s + %s (%d classes), batch %d, %s threads",
                backbone, head, classes, batch, System.getProperty("ai.djl.pytorch.num_threads", "default")), System.out);
    }

    @Descriptor("Evaluate a checkpoint, or every checkpoint of a folder, on the benchmarks of a FaceX-Zoo data_conf.yaml "
            + "(LFW, CPLFW, CALFW, AgeDB30, RFW, MegaFace, ...); prints a model x benchmark table and writes it as "
            + "Markdown, CSV and JSON")
    public void eval(
            @Descriptor("FaceX-Zoo data_conf.yaml: one section per benchmark") @Parameter(names = {"-d", "--data_conf"}, absentValue = "") String dataConf,
            @Descriptor("a checkpoint (.safetensors, FaceX-Zoo .pt/.pth, .npz) or a folder of them") @Parameter(names = {"-m", "--model"}, absentValue = "") String model,
            @Descriptor("comma-separated protocols (default: every installed one with a section in the data config)") @Parameter(names = {"-p", "--protocols"}, absentValue = "") String protocols,
            @Descriptor("backbone name") @Parameter(names = {"-b", "--backbone"}, absentValue = "MobileFaceNet") String backbone,
            @Descriptor("YAML/JSON with a section for the backbone") @Parameter(names = {"--backbone_conf_file"}, absentValue = "") String conf,
            @Descriptor("output folder (results tables, per-protocol plots)") @Parameter(names = {"-o", "--out"}, absentValue = "eval") String out,
            @Descriptor("feature cache folder (default: OUT/feature_cache)") @Parameter(names = {"--cache"}, absentValue = "") String cache,
            @Descriptor("fuse each face's feature with its mirror image's (FaceX-Zoo does not)") @Parameter(names = {"--flip"}, presentValue = "true", absentValue = "false") boolean flip,
            @Descriptor("image decoding threads") @Parameter(names = {"--workers"}, absentValue = "2") int workers)
            throws Exception {
        if (dataConf.isEmpty() || model.isEmpty()) {
            throw new IllegalArgumentException("eval needs --data_conf and --model (see 'help eval')");
        }
        List<String> names = protocols.isBlank() ? List.of()
                : java.util.Arrays.stream(protocols.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
        new io.facex.core.eval.EvalCommand(registry).run(new io.facex.core.eval.EvalCommand.Options(Path.of(dataConf), names,
                backbone, conf.isEmpty() ? null : Path.of(conf), Path.of(model), Path.of(out),
                cache.isEmpty() ? null : Path.of(cache), flip, workers), System.out, System.console() != null);
    }

    @Descriptor("Write features (N, dim) as .npy for a batch of faces (.npy, (N, 3, 112, 112), already normalised) "
            + "or an image list (one path per line), from a checkpoint or imported weights")
    public void embed(
            @Descriptor("backbone name") @Parameter(names = {"-b", "--backbone"}, absentValue = "MobileFaceNet") String backbone,
            @Descriptor("YAML/JSON with a section for the backbone") @Parameter(names = {"--backbone_conf_file"}, absentValue = "") String conf,
            @Descriptor("weights: FaceX-Zoo .pt/.pth, our .safetensors checkpoint, .npz") @Parameter(names = {"-w", "--weights"}, absentValue = "") String weights,
            @Descriptor("faces: .npy batch or a text list of images") @Parameter(names = {"-i", "--input"}, absentValue = "") String input,
            @Descriptor("folder the list's paths are relative to (default: the list's folder)") @Parameter(names = {"--data_root"}, absentValue = "") String dataRoot,
            @Descriptor("where to write the features (.npy)") @Parameter(names = {"-o", "--output"}, absentValue = "") String output,
            @Descriptor("keep the raw backbone output (default: L2-normalised)") @Parameter(names = {"--no-normalize"}, presentValue = "true", absentValue = "false") boolean raw)
            throws Exception {
        if (weights.isEmpty() || input.isEmpty() || output.isEmpty()) {
            throw new IllegalArgumentException("embed needs --weights, --input and --output (see 'help embed')");
        }
        Backbone<?> b = registry.get(Backbone.class, backbone);
        PluginInfo info = registry.list().stream().filter(p -> p.plugin() == b).findFirst().orElseThrow();
        registry.use(info, () -> {
            try {
                embedWith(b, conf, Path.of(weights), Path.of(input), dataRoot, Path.of(output), !raw);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return null;
        });
    }

    private <C> void embedWith(Backbone<C> b, String conf, Path weights, Path input, String dataRoot, Path output,
                               boolean normalize) throws Exception {
        C config = conf.isEmpty() ? b.defaultConfig() : Configs.bind(b, ConfigDocument.read(Path.of(conf)), b.name());
        try (io.facex.core.embed.Embedder<C> e = new io.facex.core.embed.Embedder<>(b, config, weights)) {
            io.facex.core.embed.Faces faces = io.facex.core.embed.Faces.read(input,
                    dataRoot.isEmpty() ? null : Path.of(dataRoot), e.faceShape());
            float[] features = e.embed(faces.values(), faces.count(), normalize);
            io.facex.weights.Npy.writeFloats(output, features, faces.count(), e.dimension());
            System.out.printf("%d features of %d values%s -> %s%n", faces.count(), e.dimension(),
                    normalize ? " (L2-normalised)" : "", output);
        }
    }

    private <C> void describe(Plugin<C> plugin, Path file, PrintStream out) {
        C config = file == null ? plugin.defaultConfig() : Configs.bind(plugin, ConfigDocument.read(file), plugin.name());
        if (plugin instanceof Backbone<?>) {
            @SuppressWarnings("unchecked")
            Backbone<C> b = (Backbone<C>) plugin;
            BlockStats.BackboneStats stats = BlockStats.inspect(b, config);
            out.printf("  parameters: %,d%n", stats.parameters());
            out.println("  input: (N, " + b.inputShape(config).toString().replaceAll("[()]", "") + ") -> output: (N, "
                    + b.featureDim(config) + ")");
            out.println("  forward pass: " + stats.output());
        } else if (plugin instanceof Head<?>) {
            @SuppressWarnings("unchecked")
            Head<C> h = (Head<C>) plugin;
            out.println("  features: " + h.featureDim(config) + ", classes: " + h.numClasses(config));
        }
        out.println("  configuration" + (file == null ? " (defaults)" : " (from " + file + ")") + ":");
        for (String line : Configs.toYaml(config).split("\n")) {
            out.println("    " + line);
        }
    }

    private PluginInfo resolve(String kind, String name) {
        List<PluginInfo> all = registry.list();
        Optional<PluginKind> k = kind.isEmpty() ? Optional.empty() : PluginKind.of(kind);
        if (!kind.isEmpty() && k.isEmpty()) {
            throw new IllegalArgumentException("unknown plugin kind '" + kind + "'; kinds: "
                    + String.join(", ", PluginKind.values().stream().map(PluginKind::id).toList()));
        }
        List<PluginInfo> matches = all.stream()
                .filter(p -> p.name().equals(name) && k.map(x -> x.equals(p.kind())).orElse(true)).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            List<String> names = all.stream().filter(p -> k.map(x -> x.equals(p.kind())).orElse(true))
                    .map(PluginInfo::name).distinct().toList();
            throw new UnknownPluginException(k.map(PluginKind::id).orElse("plugin"), name, names);
        }
        throw new IllegalArgumentException("'" + name + "' is the name of several plugins ("
                + String.join(", ", matches.stream().map(p -> p.kind().id()).toList()) + "); say which with --kind");
    }
}
