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
import io.facex.core.jobs.Table;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code facex} scope of the Gogo shell. Each command prints to {@code System.out}, which Gogo
 * routes to the calling session, and throws on failure so that {@code bin/facex CMD} exits non-zero.
 */
public final class FacexCommands {

    /** The functions registered in the {@code facex} scope; only commands that work are listed. */
    /** One-letter options: -B backbone, -H head, -m training mode. */
    private static final Map<String, String> SHORT_TRAIN = Map.of("-B", "backbone_type", "-H", "head_type", "-m", "mode");
    private static final Map<String, String> SHORT_BENCH = Map.of("-B", "backbone", "-H", "head", "-m", "mode");

    public static final String[] FUNCTIONS = {"list", "info", "train", "trainlist", "shallowlist", "bench", "embed", "eval"};

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
        Plugin<?> plugin = resolve(kind, name);
        PluginInfo info = registry.infoOf(plugin);
        PrintStream out = System.out;
        out.println(plugin.name() + " (" + info.kind().id() + ")");
        out.println("  " + plugin.description());
        out.println("  bundle: " + info.origin() + " " + info.version());
        if (!plugin.presets().isEmpty()) {
            out.println("  presets (usable wherever " + plugin.name() + " is): " + String.join(", ", plugin.presets().keySet()));
        }
        Path file = configFile.isEmpty() ? null : Path.of(configFile);
        registry.use(info, () -> {
            describe(plugin, file, out);
            return null;
        });
    }

    @Descriptor("Train a face recognition model. Options are FaceX-Zoo train.py's (--data_root, --train_file, "
            + "--backbone_type, --head_type, --mode, --lr, --epoches, --step, --batch_size, --out_dir, --resume, ...) plus "
            + "every option of the chosen training mode; --set backbone.KEY=VALUE / --set head.KEY=VALUE set the backbone's "
            + "and head's; -B, -H and -m are short for --backbone_type, --head_type and --mode; --sample_rate R scores R of the "
            + "classes per step (Partial FC) for 100,000+ identities; -c FILE reads any of them from YAML/JSON (the command "
            + "line wins). 'train --help' lists them all")
    public void train(@Descriptor("options: --name value, --name=value, --flag, --set [section.]key=value, -c FILE, --help")
                      String... args) throws Exception {
        io.facex.core.config.CommandLine.Parsed p = io.facex.core.config.CommandLine.parse(java.util.Arrays.asList(args), SHORT_TRAIN);
        p.requireNoPositional();
        io.facex.core.train.TrainCommand cmd = new io.facex.core.train.TrainCommand(registry,
                io.facex.core.train.TrainCommand.LISTS);
        if (p.help()) {
            String mode = p.options().has("mode") ? p.options().get("mode").asText() : "conventional";
            Table t = new Table("option", "default", "of");
            cmd.options(mode).forEach(r -> t.add(r[0], r[1], r[2]));
            System.out.println("facex train [-c FILE] [--name value ...] [--set backbone.KEY=VALUE] [--set head.KEY=VALUE]");
            System.out.print(t.render(Table.Format.TEXT));
            System.out.println("Backbone and head settings: 'facex info NAME' lists them with their defaults.");
            return;
        }
        io.facex.api.TrainingSummary sum = cmd.run(p.config(), p.options(), System.out, System.console() != null);
        System.out.printf("trained %d epochs, %d steps; loss %.4f -> %.4f; last checkpoint %s%n", sum.epochs(), sum.steps(),
                sum.firstLoss(), sum.lastLoss(), sum.lastCheckpoint());
    }

    @Descriptor("Write a training list (relative/path.jpg label) from a folder of identity folders: sorted folders get "
            + "labels 0..N-1 ('trainlist ROOT LIST'); or, with --merge, one list of several with the same labels, e.g. faces "
            + "and their masked copies ('trainlist --merge ROOT1 LIST1 ROOT2 LIST2 OUTPUT'): identity folders must have the "
            + "same label in every list")
    public void trainlist(
            @Descriptor("merge lists: ROOT LIST pairs, then the list to write") @Parameter(names = {"--merge"}, presentValue = "true", absentValue = "false") boolean merge,
            @Descriptor("with --merge: the merged list's data root (default: the deepest folder holding every list's root)") @Parameter(names = {"--data_root"}, absentValue = "") String dataRoot,
            @Descriptor("ROOT LIST (a folder of identity folders, the list to write); with --merge ROOT LIST ... OUTPUT") String... args)
            throws Exception {
        if (!merge) {
            if (args.length != 2 || !dataRoot.isEmpty()) {
                throw new IllegalArgumentException("trainlist ROOT LIST, or trainlist --merge ROOT1 LIST1 ROOT2 LIST2 ... OUTPUT "
                        + "(see 'help trainlist')");
            }
            io.facex.data.TrainList l = io.facex.data.TrainList.writeFromFolders(Path.of(args[0]), Path.of(args[1]));
            System.out.printf("%d images of %d identities -> %s%n", l.size(), l.numClasses(), args[1]);
            return;
        }
        if (args.length < 5 || args.length % 2 == 0) {
            throw new IllegalArgumentException("trainlist --merge takes ROOT LIST pairs (at least two) and then the list to "
                    + "write, got " + args.length + " argument(s)");
        }
        List<io.facex.data.TrainList> lists = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            lists.add(io.facex.data.TrainList.read(Path.of(args[i + 1]), Path.of(args[i])));
        }
        io.facex.data.TrainList merged = io.facex.data.TrainListMerge.merge(lists, dataRoot.isEmpty() ? null : Path.of(dataRoot));
        Path output = Path.of(args[args.length - 1]);
        merged.write(output);
        System.out.printf("%d images of %d identities from %d lists -> %s (train with --data_root %s)%n", merged.size(),
                merged.numClasses(), lists.size(), output, merged.dataRoot());
    }

    @Descriptor("Write a shallow training list (FaceX-Zoo's MS-Celeb-1M-v1c-r-shallow is one): at most N images of each "
            + "identity of a list, picked at random from the seed, labels and order kept; for semi-siamese training")
    public void shallowlist(
            @Descriptor("images per identity") @Parameter(names = {"-n", "--images"}, absentValue = "2") int images,
            @Descriptor("seed of the choice") @Parameter(names = {"--seed"}, absentValue = "0") long seed,
            @Descriptor("folder the list's paths are relative to") @Parameter(names = {"--data_root"}, absentValue = ".") String root,
            @Descriptor("training list to read") String input,
            @Descriptor("shallow list to write") String output) throws Exception {
        io.facex.data.TrainList full = io.facex.data.TrainList.read(Path.of(input), Path.of(root));
        io.facex.data.TrainList shallow = full.shallow(images, seed);
        shallow.write(Path.of(output));
        System.out.printf("%d of %d images, %d identities, at most %d each -> %s%n", shallow.size(), full.size(),
                shallow.numClasses(), images, output);
    }

    @Descriptor("Measure throughput with a benchmark: 'bench NAME [--option value ...]' prints one line naming the figure "
            + "and its unit (median of several runs after warm-up, with peak memory and the CPU other processes took); "
            + "'bench' alone lists the benchmarks (train, infer, loader, extract, tenfold, search, ...) with their options; "
            + "-B, -H and -m are short for --backbone, --head and --mode")
    public void bench(@Descriptor("NAME, then its options: --name value, --name=value, --set key=value; NAME --help lists them")
                      String... args) throws Exception {
        io.facex.core.config.CommandLine.Parsed p = io.facex.core.config.CommandLine.parse(java.util.Arrays.asList(args), SHORT_BENCH);
        List<PluginInfo> all = registry.list().stream().filter(i -> i.kind().equals(PluginKind.BENCHMARK)).toList();
        if (p.positional().isEmpty()) {
            Table t = new Table("benchmark", "measures", "options (defaults)", "bundle");
            for (PluginInfo i : all) {
                t.add(i.name(), i.plugin().description(), options(i.plugin()), i.origin());
            }
            System.out.println("facex bench NAME [--option value ...]");
            System.out.print(t.render(Table.Format.TEXT));
            return;
        }
        if (p.positional().size() > 1) {
            throw new IllegalArgumentException("bench runs one benchmark at a time; got " + p.positional());
        }
        io.facex.api.Benchmark<?> b = registry.get(io.facex.api.Benchmark.class, p.positional().get(0));
        PluginInfo info = registry.infoOf(b);
        if (p.help()) {
            System.out.println("facex bench " + b.name() + ": " + b.description());
            System.out.println("options (defaults): " + options(b));
            return;
        }
        io.facex.api.BenchmarkResult r = measure(b, info, p.options());
        System.out.println(r.line(b.name()));
    }

    private <C> io.facex.api.BenchmarkResult measure(io.facex.api.Benchmark<C> b, PluginInfo info,
                                                     com.fasterxml.jackson.databind.node.ObjectNode options) throws Exception {
        C config = Configs.bind(b, b.defaultConfig(), ConfigDocument.commandLine(options), List.of(), options);
        io.facex.api.BenchmarkContext context = registry.benchmarkContext(System.out, io.facex.core.jobs.Jobs::stopRequested);
        // DJL finds its engine through the context class loader once per JVM: load it the platform's way first.
        io.facex.core.nn.Djl.noGradOnThisThread();
        io.facex.core.jobs.MachineLoad load = new io.facex.core.jobs.MachineLoad();
        try (io.facex.core.jobs.Jobs.Job job = io.facex.core.jobs.Jobs.start()) {
            io.facex.api.BenchmarkResult r = registry.use(info, () -> {
                try {
                    return b.run(config, context);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
            return r.withDetails(load.describe());
        }
    }

    private static String options(Plugin<?> plugin) {
        StringBuilder sb = new StringBuilder();
        Configs.yaml().valueToTree(plugin.defaultConfig()).fields().forEachRemaining(e ->
                sb.append(sb.length() == 0 ? "" : " ").append("--").append(e.getKey()).append(' ').append(e.getValue().asText()));
        return sb.toString();
    }

    @Descriptor("Evaluate a checkpoint, or every checkpoint of a folder, on the benchmarks of a FaceX-Zoo data_conf.yaml "
            + "(LFW, CPLFW, CALFW, AgeDB30, RFW, MegaFace, ...); prints a model x benchmark table and writes it as "
            + "Markdown, CSV and JSON; every metric in metrics.csv, every verification pair's score in scores.csv")
    public void eval(
            @Descriptor("FaceX-Zoo data_conf.yaml: one section per benchmark") @Parameter(names = {"-d", "--data_conf"}, absentValue = "") String dataConf,
            @Descriptor("a checkpoint (.safetensors, FaceX-Zoo .pt/.pth, .npz) or a folder of them; a+b: the ensemble of two "
                    + "(or more) checkpoints, features concatenated; comma-separated: several of these in one table") @Parameter(names = {"-m", "--model"}, absentValue = "") String model,
            @Descriptor("comma-separated protocols (default: every installed one with a section in the data config)") @Parameter(names = {"-p", "--protocols"}, absentValue = "") String protocols,
            @Descriptor("backbone name; only for weights that do not name theirs (FaceX-Zoo .pt, state dicts)") @Parameter(names = {"-b", "--backbone"}, absentValue = "") String backbone,
            @Descriptor("YAML/JSON with a section for the backbone (default: the checkpoint's own configuration)") @Parameter(names = {"--backbone_conf_file"}, absentValue = "") String conf,
            @Descriptor("output folder (results tables, per-protocol plots)") @Parameter(names = {"-o", "--out"}, absentValue = "eval") String out,
            @Descriptor("feature cache folder (default: OUT/feature_cache)") @Parameter(names = {"--cache"}, absentValue = "") String cache,
            @Descriptor("fuse each face's feature with its mirror image's (FaceX-Zoo does not)") @Parameter(names = {"--flip"}, presentValue = "true", absentValue = "false") boolean flip,
            @Descriptor("the weights take the upper half of each face (FaceX-Zoo's crop_eye, rows 0-59); only for weights that do not say (our checkpoints record it)") @Parameter(names = {"--crop_eye"}, presentValue = "true", absentValue = "") String cropEye,
            @Descriptor("image decoding threads") @Parameter(names = {"--workers"}, absentValue = "2") int workers,
            @Descriptor("the largest width x height an image header may claim; larger images are refused unread") @Parameter(names = {"--max_image_pixels"}, absentValue = io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS_TEXT) long maxPixels)
            throws Exception {
        if (dataConf.isEmpty() || model.isEmpty()) {
            throw new IllegalArgumentException("eval needs --data_conf and --model (see 'help eval')");
        }
        List<String> names = protocols.isBlank() ? List.of()
                : java.util.Arrays.stream(protocols.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
        new io.facex.core.eval.EvalCommand(registry).run(new io.facex.core.eval.EvalCommand.Options(Path.of(dataConf), names,
                backbone, conf.isEmpty() ? null : Path.of(conf), Path.of(model), Path.of(out),
                cache.isEmpty() ? null : Path.of(cache), flip, workers, maxPixels, cropEye.isEmpty() ? null : Boolean.TRUE),
                System.out, System.console() != null);
    }

    @Descriptor("Write features (N, dim) as .npy for a batch of faces (.npy, (N, 3, 112, 112), already normalised) "
            + "or an image list (one path per line), from a checkpoint or imported weights")
    public void embed(
            @Descriptor("backbone name; only for weights that do not name theirs (FaceX-Zoo .pt, state dicts)") @Parameter(names = {"-b", "--backbone"}, absentValue = "") String backbone,
            @Descriptor("YAML/JSON with a section for the backbone (default: the checkpoint's own configuration)") @Parameter(names = {"--backbone_conf_file"}, absentValue = "") String conf,
            @Descriptor("weights: FaceX-Zoo .pt/.pth, our .safetensors checkpoint, .npz") @Parameter(names = {"-w", "--weights"}, absentValue = "") String weights,
            @Descriptor("faces: .npy batch or a text list of images") @Parameter(names = {"-i", "--input"}, absentValue = "") String input,
            @Descriptor("folder the list's paths are relative to (default: the list's folder)") @Parameter(names = {"--data_root"}, absentValue = "") String dataRoot,
            @Descriptor("where to write the features (.npy)") @Parameter(names = {"-o", "--output"}, absentValue = "") String output,
            @Descriptor("keep the raw backbone output (default: L2-normalised)") @Parameter(names = {"--no-normalize"}, presentValue = "true", absentValue = "false") boolean raw,
            @Descriptor("the model takes the upper half of each face (FaceX-Zoo's crop_eye); only for weights that do not say (our checkpoints record it)") @Parameter(names = {"--crop_eye"}, presentValue = "true", absentValue = "") String cropEye,
            @Descriptor("the largest width x height an image header may claim; larger images are refused unread") @Parameter(names = {"--max_image_pixels"}, absentValue = io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS_TEXT) long maxPixels)
            throws Exception {
        if (weights.isEmpty() || input.isEmpty() || output.isEmpty()) {
            throw new IllegalArgumentException("embed needs --weights, --input and --output (see 'help embed')");
        }
        io.facex.core.checkpoint.ModelResolver.Resolved<?> model = new io.facex.core.checkpoint.ModelResolver(registry)
                .resolve(Path.of(weights), backbone, conf.isEmpty() ? null : Path.of(conf), cropEye.isEmpty() ? null : Boolean.TRUE);
        PluginInfo info = registry.infoOf(model.backbone());
        registry.use(info, () -> {
            try {
                embedWith(model, Path.of(weights), Path.of(input), dataRoot, Path.of(output), !raw, maxPixels);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return null;
        });
    }

    private <C> void embedWith(io.facex.core.checkpoint.ModelResolver.Resolved<C> model, Path weights, Path input,
                               String dataRoot, Path output, boolean normalize, long maxPixels) throws Exception {
        try (io.facex.core.embed.Embedder<C> e = new io.facex.core.embed.Embedder<>(model.backbone(), model.config(), weights)) {
            io.facex.core.embed.Faces faces = io.facex.core.embed.Faces.read(input,
                    dataRoot.isEmpty() ? null : Path.of(dataRoot), e.faceShape(), maxPixels, model.cropEye());
            float[] features = e.embed(faces.values(), faces.count(), normalize);
            io.facex.weights.Npy.writeFloats(output, features, faces.count(), e.dimension());
            System.out.printf("%d features of %d values from %s%s%s -> %s%n", faces.count(), e.dimension(),
                    model.backbone().name(), model.cropEye() ? " on upper-half faces (crop_eye)" : "",
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
            out.println("  sized by the platform: features from the backbone"
                    + (h.needsClassCount() ? ", classes from the training data" : "; needs no class count")
                    + h.declaredSize(config).map(s -> " (this configuration states " + s.featureDim() + " features, "
                    + s.numClasses() + " classes)").orElse(""));
        }
        out.println("  configuration" + (file == null ? " (defaults)" : " (from " + file + ")") + ":");
        for (String line : Configs.toYaml(config).split("\n")) {
            out.println("    " + line);
        }
    }

    /** A plugin by name, or a preset of one, of the given kind or of any kind when the name is unambiguous. */
    private Plugin<?> resolve(String kind, String name) {
        List<PluginInfo> all = registry.list();
        Optional<PluginKind> k = kind.isEmpty() ? Optional.empty() : PluginKind.of(kind);
        if (!kind.isEmpty() && k.isEmpty()) {
            throw new IllegalArgumentException("unknown plugin kind '" + kind + "'; kinds: "
                    + String.join(", ", PluginKind.values().stream().map(PluginKind::id).toList()));
        }
        List<PluginKind> kinds = all.stream().map(PluginInfo::kind).filter(x -> k.map(x::equals).orElse(true))
                .distinct().toList();
        List<Plugin<?>> matches = new java.util.ArrayList<>();
        for (PluginKind each : kinds) {
            try {
                matches.add(registry.get(each.type(), name));
            } catch (UnknownPluginException e) {
                // not a name of this kind
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            List<String> names = all.stream().filter(p -> k.map(x -> x.equals(p.kind())).orElse(true))
                    .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p.name()),
                            p.plugin().presets().keySet().stream())).distinct().toList();
            throw new UnknownPluginException(k.map(PluginKind::id).orElse("plugin"), name, names);
        }
        throw new IllegalArgumentException("'" + name + "' is the name of several plugins ("
                + String.join(", ", matches.stream().map(p -> registry.infoOf(p).kind().id()).toList())
                + "); say which with --kind");
    }
}
