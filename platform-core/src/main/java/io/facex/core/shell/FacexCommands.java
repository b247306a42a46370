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
    public static final String[] FUNCTIONS = {"list", "info", "bench"};

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

    @Descriptor("Measure throughput: 'train' times the training step alone (forward + backward + update) on random batches")
    public void bench(
            @Descriptor("backbone name") @Parameter(names = {"-b", "--backbone"}, absentValue = "MobileFaceNet") String backbone,
            @Descriptor("head name") @Parameter(names = {"-H", "--head"}, absentValue = "MV-Softmax") String head,
            @Descriptor("training mode") @Parameter(names = {"-m", "--mode"}, absentValue = "conventional") String mode,
            @Descriptor("images per step") @Parameter(names = {"--batch"}, absentValue = "32") int batch,
            @Descriptor("identities (the head's width; FaceX-Zoo trains with 72778)") @Parameter(names = {"--classes"}, absentValue = "72778") int classes,
            @Descriptor("untimed steps first") @Parameter(names = {"--warmup"}, absentValue = "3") int warmup,
            @Descriptor("timed steps (the median is reported)") @Parameter(names = {"--reps"}, absentValue = "10") int reps,
            @Descriptor("intra-op threads; set at start-up by bin/facex (shown for the record)") @Parameter(names = {"--threads"}, absentValue = "0") int threads,
            @Descriptor("what to measure: train") String what) throws Exception {
        if (!what.equals("train")) {
            throw new IllegalArgumentException("unknown benchmark '" + what + "'; available: train");
        }
        if (batch < 1 || reps < 1 || warmup < 0 || classes < 2) {
            throw new IllegalArgumentException("--batch and --reps must be ≥ 1, --warmup ≥ 0, --classes ≥ 2");
        }
        io.facex.core.train.TrainBenchmark.Result r = new io.facex.core.train.TrainBenchmark(registry)
                .run(mode, backbone, head, batch, classes, warmup, reps);
        io.facex.core.train.TrainBenchmark.print(r, String.format("training step %s + %s (%d classes), batch %d, %s threads",
                backbone, head, classes, batch, System.getProperty("ai.djl.pytorch.num_threads", "default")), System.out);
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
