package io.facex.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.Plugin;
import io.facex.api.TrainingData;
import io.facex.api.TrainingMode;
import io.facex.api.TrainingSummary;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.ConfigException;
import io.facex.core.config.Configs;
import io.facex.core.nn.Djl;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.shell.Jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code facex:train}: resolves the mode, backbone and head by name, binds every configuration
 * strictly, opens the data, and runs the mode with a progress report. Options come from one YAML/JSON
 * file, from the command line, or both (the command line wins).
 */
public final class TrainCommand {

    /** Opens a training list; the data module provides it (decoding, augmentation, loader threads). */
    public interface DataOpener {
        TrainingData open(Path dataRoot, Path trainFile, int workers, long seed, boolean skipBadImages) throws IOException;
    }

    private final PluginRegistry registry;
    private final DataOpener data;

    public TrainCommand(PluginRegistry registry, DataOpener data) {
        this.registry = registry;
        this.data = data;
    }

    /**
     * @param file    a configuration file of options (may be null)
     * @param cli     options given on the command line, by FaceX-Zoo name (data_root, lr, ...)
     * @param console where the progress bar and summary go
     */
    public TrainingSummary run(Path file, Map<String, String> cli, PrintStream console, boolean interactive) throws Exception {
        ConfigDocument doc = file == null ? ConfigDocument.of(Configs.yaml().createObjectNode()) : ConfigDocument.read(file);
        ObjectNode options = doc.root().deepCopy();
        cli.forEach((k, v) -> options.set(k, cliValue(v)));

        String modeName = options.has("mode") ? options.get("mode").asText() : TrainJob.defaults().mode();
        TrainingMode<?> mode = registry.get(TrainingMode.class, modeName);
        ObjectNode jobNode = Configs.yaml().createObjectNode();
        ObjectNode modeNode = Configs.yaml().createObjectNode();
        List<String> jobKeys = Configs.keysOf(TrainJob.defaults());
        List<String> modeKeys = Configs.keysOf(mode.defaultConfig());
        for (Iterator<Map.Entry<String, JsonNode>> it = options.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (jobKeys.contains(e.getKey())) {
                jobNode.set(e.getKey(), e.getValue());
            } else if (modeKeys.contains(e.getKey())) {
                modeNode.set(e.getKey(), e.getValue());
            } else {
                List<String> known = new ArrayList<>(jobKeys);
                known.addAll(modeKeys);
                throw new ConfigException(doc.file(), doc.lineOf(List.of(e.getKey())), e.getKey(),
                        (cli.containsKey(e.getKey()) ? "unknown option --" : "unknown key ") + e.getKey()
                                + " for training with mode " + modeName + "; known: " + String.join(", ", known));
            }
        }
        TrainJob job = Configs.bind(JOB, doc, List.of(), jobNode);
        try {
            job.validate();
        } catch (io.facex.api.InvalidConfigException e) {
            throw new ConfigException(doc.file(), doc.lineOf(List.of(e.key())), e.key(),
                    e.getMessage().substring(e.key().length() + 2) + " (give --" + e.key() + " or put it in --config)");
        }
        return bindAndRun(mode, doc, modeNode, job, console, interactive);
    }

    private <M> TrainingSummary bindAndRun(TrainingMode<M> mode, ConfigDocument doc, ObjectNode modeNode, TrainJob job,
                                           PrintStream console, boolean interactive) throws Exception {
        return runMode(mode, Configs.bind(mode, doc, List.of(), modeNode), job, console, interactive);
    }

    private <M> TrainingSummary runMode(TrainingMode<M> mode, M modeConfig, TrainJob job, PrintStream console,
                                        boolean interactive) throws Exception {
        Backbone<?> backbone = registry.get(Backbone.class, job.backboneType());
        Head<?> head = registry.get(Head.class, job.headType());
        long seed = seedOf(modeConfig);
        Djl.noGradOnThisThread();
        TrainingData td = data.open(Path.of(job.dataRoot()), Path.of(job.trainFile()), job.workers(), seed,
                job.skipBadImages());
        try (AutoCloseable closing = closeable(td)) {
            return start(mode, modeConfig, job, backbone, head, td, console, interactive);
        }
    }

    private <M, B, H> TrainingSummary start(TrainingMode<M> mode, M modeConfig, TrainJob job, Backbone<B> backbone,
                                            Head<H> head, TrainingData td, PrintStream console, boolean interactive)
            throws Exception {
        B bc = job.backboneConfFile().isEmpty() ? backbone.defaultConfig()
                : Configs.bind(backbone, ConfigDocument.read(Path.of(job.backboneConfFile())), backbone.name());
        H hc = headConfig(head, job, backbone.featureDim(bc), td.numClasses(), console);
        Path out = Files.createDirectories(Path.of(job.outDir()));
        Path resume = job.resume() ? resumePoint(job, out) : null;
        Path initial = !job.resume() && !job.pretrainModel().isEmpty() ? Path.of(job.pretrainModel()) : null;
        int batchSize = batchSizeOf(modeConfig);
        int epochs = epochsOf(modeConfig);
        long total = (long) td.batchesPerEpoch(batchSize) * epochs;

        // Ctrl-C: the mode saves where it is and returns, rather than dying mid-step.
        Jobs.Job running = Jobs.start();
        PluginInfo modeInfo = registry.list().stream().filter(p -> p.plugin() == mode).findFirst().orElseThrow();
        try (TrainingReport report = new TrainingReport(out, total, 0, console, interactive)) {
            report.message(String.format("training %s + %s (%s) on %d images of %d identities; output in %s",
                    backbone.name(), head.name(), mode.name(), td.size(), td.numClasses(), out));
            JobContext<B, H> ctx = new JobContext<>(backbone, bc, head, hc, td, out, resume, initial, report,
                    () -> Jobs.stopRequested() || Thread.currentThread().isInterrupted());
            TrainingSummary summary = registry.use(modeInfo, () -> {
                try {
                    return mode.train(ctx, modeConfig);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new TrainingFailed(e);
                }
            });
            if (td instanceof ListTrainingData l && l.skipped() > 0) {
                report.message(l.skipped() + " unreadable images were skipped (--skip_bad_images); see " + TrainingReport.LOG);
            }
            report.finished(summary);
            return summary;
        } catch (TrainingFailed e) {
            throw (Exception) e.getCause();
        } finally {
            running.close();
        }
    }

    /** Head configuration: the file's section, or defaults sized to the backbone and the data. */
    private static <H> H headConfig(Head<H> head, TrainJob job, int featDim, int classes, PrintStream console) {
        if (job.headConfFile().isEmpty()) {
            return Configs.withOverrides(head, head.defaultConfig(), Map.of("feat_dim", featDim, "num_class", classes));
        }
        Path file = Path.of(job.headConfFile());
        ConfigDocument doc = ConfigDocument.read(file);
        H hc = Configs.bind(head, doc, head.name());
        if (head.featureDim(hc) != featDim) {
            throw new ConfigException(file, doc.lineOf(List.of(head.name(), "feat_dim")), head.name() + ".feat_dim",
                    "is " + head.featureDim(hc) + " but the backbone produces " + featDim + "-d features");
        }
        if (head.numClasses(hc) < classes) {
            throw new ConfigException(file, doc.lineOf(List.of(head.name(), "num_class")), head.name() + ".num_class",
                    "is " + head.numClasses(hc) + " but the training list has " + classes
                            + " identities (labels 0.." + (classes - 1) + ")");
        }
        if (head.numClasses(hc) > classes) {
            console.println("note: " + file + ": " + head.name() + ".num_class is " + head.numClasses(hc)
                    + " but the training list has only " + classes + " identities");
        }
        return hc;
    }

    /** The checkpoint to resume from: the one named, or the newest in the output folder. */
    private static Path resumePoint(TrainJob job, Path out) throws IOException {
        if (!job.pretrainModel().isEmpty()) {
            return Path.of(job.pretrainModel());
        }
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().matches("Epoch_\\d+(_batch_\\d+)?\\.safetensors"))
                    .max(Comparator.comparing(TrainCommand::modified))
                    .orElseThrow(() -> new IOException("--resume: no checkpoint (Epoch_*.safetensors) in " + out));
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    /** A command-line string as YAML would read it, so "0.1" binds to a number and "true" to a flag. */
    private static JsonNode cliValue(String v) {
        try {
            JsonNode n = Configs.yaml().readTree(v);
            return n == null || n.isContainerNode() ? Configs.yaml().getNodeFactory().textNode(v) : n;
        } catch (IOException e) {
            return Configs.yaml().getNodeFactory().textNode(v);
        }
    }

    private static int intOf(Object config, String key, int fallback) {
        JsonNode n = Configs.yaml().valueToTree(config).get(key);
        return n != null && n.canConvertToInt() ? n.asInt() : fallback;
    }

    private static int batchSizeOf(Object config) {
        return intOf(config, "batch_size", 128);
    }

    private static int epochsOf(Object config) {
        return intOf(config, "epoches", 1);
    }

    private static long seedOf(Object config) {
        return intOf(config, "seed", 0);
    }

    private static AutoCloseable closeable(TrainingData d) {
        return d instanceof AutoCloseable c ? c : () -> { };
    }

    /** Carries a checked exception out of the registry's guard. */
    private static final class TrainingFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TrainingFailed(Exception cause) {
            super(cause);
        }
    }

    /** Binds the job options with the same strict rules as any plugin configuration. */
    private static final Plugin<TrainJob> JOB = new Plugin<>() {
        @Override
        public String name() {
            return "train";
        }

        @Override
        public String description() {
            return "training job options";
        }

        @Override
        public Class<TrainJob> configType() {
            return TrainJob.class;
        }

        @Override
        public TrainJob defaultConfig() {
            return TrainJob.defaults();
        }
    };
}
