package io.facex.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facex.core.checkpoint.Checkpoint;
import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.api.Plugin;
import io.facex.api.TrainingData;
import io.facex.api.TrainingMode;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingSummary;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.ConfigException;
import io.facex.core.config.ConfigProblems;
import io.facex.core.config.Configs;
import io.facex.core.jobs.Jobs;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginRegistry;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code facex:train}: resolves the mode, backbone and head by name, binds every configuration
 * strictly, sizes the head, opens the data at the backbone's input size as the mode's plan asks, and
 * runs the platform's {@link TrainingLoop}. Options come from a YAML/JSON file, the command line, or
 * both (the command line wins); the backbone's and head's settings from FaceX-Zoo's conf files and
 * {@code backbone:} / {@code head:} sections of the options.
 */
public final class TrainCommand {

    /** Sections of the options that configure the backbone and the head. */
    public static final String BACKBONE = "backbone";
    public static final String HEAD = "head";

    /**
     * What the data pipeline is asked for.
     *
     * @param cropEye the upper half of each face ({@link io.facex.data.EyeCrop}); {@code input} is then 3x60x112
     */
    public record DataRequest(Path dataRoot, Path trainFile, int workers, long seed, boolean skipBadImages,
                              long maxImagePixels, boolean checkList, ai.djl.ndarray.types.Shape input,
                              io.facex.api.Sampling sampling, io.facex.api.Augmentation augmentation, DataLog log,
                              boolean cropEye) {
    }

    /** Opens a training list; the data module provides it (decoding, augmentation, loader threads). */
    public interface DataOpener {
        TrainingData open(DataRequest request) throws IOException;
    }

    /** The list-file opener every command uses. */
    public static final DataOpener LISTS = ListTrainingData::open;

    private final PluginRegistry registry;
    private final DataOpener data;

    public TrainCommand(PluginRegistry registry, DataOpener data) {
        this.registry = registry;
        this.data = data;
    }

    /**
     * @param file    a configuration file of options (may be null)
     * @param cli     options given on the command line, as a tree ({@code lr: 0.1}, {@code head: {margin: 0.4}})
     * @param console where the progress bar and summary go
     */
    public TrainingSummary run(Path file, ObjectNode cli, PrintStream console, boolean interactive) throws Exception {
        ConfigDocument fileDoc = file == null ? ConfigDocument.of(Configs.yaml().createObjectNode()) : ConfigDocument.read(file);
        ConfigDocument cliDoc = ConfigDocument.commandLine(cli);
        ObjectNode merged = fileDoc.root().deepCopy();
        merged.setAll(withoutSections(cli));
        String modeName = merged.has("mode") ? merged.get("mode").asText() : TrainJob.defaults().mode();
        TrainingMode<?> mode = registry.get(TrainingMode.class, modeName);
        return bindMode(mode, fileDoc, cliDoc, console, interactive);
    }

    private <M> TrainingSummary bindMode(TrainingMode<M> mode, ConfigDocument fileDoc, ConfigDocument cliDoc,
                                         PrintStream console, boolean interactive) throws Exception {
        List<String> jobKeys = Configs.keysOf(TrainJob.defaults());
        List<String> modeKeys = Configs.keysOf(mode.defaultConfig());
        TrainJob job = TrainJob.defaults();
        M modeConfig = mode.defaultConfig();
        ConfigProblems problems = new ConfigProblems();
        // Each layer is bound on its own, so an error points at the file's line or at the command line.
        for (ConfigDocument doc : List.of(fileDoc, cliDoc)) {
            ObjectNode jobNode = Configs.yaml().createObjectNode();
            ObjectNode modeNode = Configs.yaml().createObjectNode();
            split(doc, mode, jobKeys, modeKeys, jobNode, modeNode, problems);
            TrainJob before = job;
            M modeBefore = modeConfig;
            job = problems.bind(() -> Configs.bind(JOB, before, doc, List.of(), jobNode), before);
            modeConfig = problems.bind(() -> Configs.bind(mode, modeBefore, doc, List.of(), modeNode), modeBefore);
        }
        try {
            job.validate();
        } catch (InvalidConfigException e) {
            problems.add(new ConfigException(fileDoc.file(), fileDoc.lineOf(List.of(e.key())), e.key(),
                    e.getMessage().substring(e.key().length() + 2) + " (give --" + e.key() + " or put it in --config)"));
        }
        Backbone<?> backbone = plugin(Backbone.class, "backbone_type", job.backboneType(), fileDoc, cliDoc, problems);
        Head<?> head = plugin(Head.class, "head_type", job.headType(), fileDoc, cliDoc, problems);
        TrainJob bound = job;
        Object bc = backbone == null ? null : problems.bind(() -> component(backbone, bound.backboneConfFile(),
                BACKBONE, fileDoc, cliDoc), null);
        Object hc = head == null ? null : problems.bind(() -> component(head, bound.headConfFile(), HEAD, fileDoc,
                cliDoc), null);
        problems.throwIfAny();
        return start(mode, modeConfig, job, backbone, bc, head, hc, console, interactive);
    }

    /** A plugin named by an option; an unknown name is a problem of that option, at its line. */
    private <T extends Plugin<?>> T plugin(Class<T> kind, String key, String name, ConfigDocument fileDoc,
                                           ConfigDocument cliDoc, ConfigProblems problems) {
        try {
            return registry.get(kind, name);
        } catch (io.facex.core.registry.UnknownPluginException e) {
            ConfigDocument doc = cliDoc.root().has(key) ? cliDoc : fileDoc;
            problems.add(new ConfigException(doc, List.of(key), e.getMessage(), null));
            return null;
        }
    }

    /** Sorts a layer's top-level keys into job and mode options; anything else is an unknown option. */
    private static void split(ConfigDocument doc, TrainingMode<?> mode, List<String> jobKeys, List<String> modeKeys,
                              ObjectNode jobNode, ObjectNode modeNode, ConfigProblems problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.root().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.equals(BACKBONE) || key.equals(HEAD)) {
                continue;
            }
            if (jobKeys.contains(key)) {
                jobNode.set(key, e.getValue());
            } else if (modeKeys.contains(key)) {
                modeNode.set(key, e.getValue());
            } else {
                List<String> known = new ArrayList<>(jobKeys);
                known.addAll(modeKeys);
                known.add(BACKBONE);
                known.add(HEAD);
                problems.add(new ConfigException(doc, List.of(key), (doc.file() == null ? "unknown option --" + key : "unknown key")
                        + " for training with mode " + mode.name() + Configs.suggestion(key, known) + "; known: "
                        + String.join(", ", known), null));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <M, B, H> TrainingSummary start(TrainingMode<M> mode, M modeConfig, TrainJob job, Backbone<B> backbone,
                                            Object backboneConfig, Head<H> head, Object headConfig,
                                            PrintStream console, boolean interactive) throws Exception {
        TrainingPlan plan = mode.plan(modeConfig);
        B bc = (B) backboneConfig;
        H hc = (H) headConfig;
        Path out = Files.createDirectories(Path.of(job.outDir()));
        StringBuilder lockNote = new StringBuilder();
        try (OutputLock lock = OutputLock.acquire(out, lockNote)) {
            Path resume = job.resume() ? resumePoint(job, out) : null;
            Path initial = !job.resume() && !job.pretrainModel().isEmpty() ? Path.of(job.pretrainModel()) : null;
            try (TrainingReport report = new TrainingReport(out, stepOf(resume), console, interactive)) {
                if (lockNote.length() > 0) {
                    report.message(lockNote.toString());
                }
                try {
                    return train(mode, modeConfig, plan, job, backbone, bc, head, hc, out, resume, initial, report, console);
                } catch (Exception | Error e) {
                    // Printed once, by the shell; the log keeps it for whoever reads the folder later.
                    report.failed(e.getMessage() != null ? e.getMessage() : String.valueOf(e.getCause()));
                    throw e;
                }
            }
        }
    }

    private <M, B, H> TrainingSummary train(TrainingMode<M> mode, M modeConfig, TrainingPlan plan, TrainJob job,
                                            Backbone<B> backbone, B bc, Head<H> head, H hc, Path out, Path resume,
                                            Path initial, TrainingReport report, PrintStream console) throws Exception {
        ai.djl.ndarray.types.Shape input = backbone.inputShape(bc);
        String mismatch = io.facex.data.EyeCrop.mismatch((int) input.get(2), (int) input.get(1));
        if (job.cropEye() && mismatch != null) {
            throw new IllegalArgumentException("crop_eye: " + mismatch + "; " + backbone.name() + " is configured as "
                    + Configs.toJson(bc));
        }
        TrainingData td = data.open(new DataRequest(Path.of(job.dataRoot()), Path.of(job.trainFile()), job.workers(),
                plan.seed(), job.skipBadImages(), job.maxImagePixels(), !job.skipListCheck(), input,
                plan.sampling(), plan.augmentation(), report, job.cropEye()));
        try (AutoCloseable closing = closeable(td)) {
            HeadSize size = headSize(head, hc, job, backbone.featureDim(bc), td.numClasses(), console);
            Map<String, String> description = describe(job, mode, modeConfig, backbone, bc, head, hc, size);
            TrainingRun.Job<M, B, H> run = new TrainingRun.Job<>(mode, modeConfig, plan, backbone, bc, head, hc, size,
                    job.sampleRate(), out, resume, initial, description);
            PluginInfo modeInfo = registry.infoOf(mode);
            try (Jobs.Job running = Jobs.start()) {
                report.message(String.format("training %s + %s (%s) on %d %s of %d identities; output in %s",
                        backbone.name(), head.name(), mode.name(), td.size(),
                        plan.sampling() == io.facex.api.Sampling.IMAGES ? "images" : "identity pairs",
                        td.numClasses(), out));
                report.begin((long) td.batchesPerEpoch(plan.batchSize()) * plan.epochs());
                TrainingSummary summary;
                try {
                    summary = registry.use(modeInfo, () -> TrainingRun.unchecked(() -> TrainingRun.train(run, td,
                            report, () -> Jobs.stopRequested() || Thread.currentThread().isInterrupted())));
                } catch (TrainingRun.Failed e) {
                    throw (Exception) e.getCause();
                }
                if (report.skippedCount() > 0) {
                    report.message(report.skippedCount() + " unreadable images were left out (--skip_bad_images), "
                            + "each named with its list line in " + out.resolve(TrainingReport.SKIPPED));
                }
                report.finished(summary);
                return summary;
            }
        }
    }

    /**
     * A backbone's or head's configuration: its defaults, then FaceX-Zoo's conf file section named after
     * it, then the options' {@code backbone:} / {@code head:} section from the file, then the command line.
     */
    private static <C> C component(Plugin<C> plugin, String confFile, String section, ConfigDocument fileDoc,
                                   ConfigDocument cliDoc) {
        C config = plugin.defaultConfig();
        if (!confFile.isEmpty()) {
            config = Configs.bind(plugin, ConfigDocument.read(Path.of(confFile)), plugin.name());
        }
        for (ConfigDocument doc : List.of(fileDoc, cliDoc)) {
            JsonNode node = doc.root().get(section);
            if (node != null) {
                config = Configs.bind(plugin, config, doc, List.of(section), node);
            }
        }
        return config;
    }

    /**
     * The head's sizes: the backbone's feature dimension and the data's identities. A head configuration
     * read from a file that states other sizes must agree (a larger class count is kept, as FaceX-Zoo does).
     */
    private static <H> HeadSize headSize(Head<H> head, H hc, TrainJob job, int featDim, int classes, PrintStream console) {
        int numClasses = head.needsClassCount() ? classes : 0;
        if (job.headConfFile().isEmpty() || head.declaredSize(hc).isEmpty()) {
            return new HeadSize(featDim, numClasses);
        }
        HeadSize declared = head.declaredSize(hc).get();
        Path file = Path.of(job.headConfFile());
        if (declared.featureDim() != featDim) {
            throw new ConfigException(file, lineOf(file, head.name(), "feat_dim"), head.name() + ".feat_dim",
                    "is " + declared.featureDim() + " but the backbone produces " + featDim + "-d features");
        }
        if (!head.needsClassCount()) {
            return new HeadSize(featDim, 0);
        }
        if (declared.numClasses() < classes) {
            throw new ConfigException(file, lineOf(file, head.name(), "num_class"), head.name() + ".num_class",
                    "is " + declared.numClasses() + " but the training list has " + classes
                            + " identities (labels 0.." + (classes - 1) + ")");
        }
        if (declared.numClasses() > classes) {
            console.println("note: " + file + ": " + head.name() + ".num_class is " + declared.numClasses()
                    + " but the training list has only " + classes + " identities");
        }
        return new HeadSize(featDim, declared.numClasses());
    }

    /** The line of a key in a file already bound once: read again only for the error message. */
    private static int lineOf(Path file, String... path) {
        return ConfigDocument.read(file).lineOf(List.of(path));
    }

    /** The metadata that makes every checkpoint self-describing: model, configurations, the whole job. */
    private static Map<String, String> describe(TrainJob job, TrainingMode<?> mode, Object modeConfig, Backbone<?> backbone,
                                                Object bc, Head<?> head, Object hc, HeadSize size) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(Checkpoint.BACKBONE, backbone.name());
        d.put(Checkpoint.BACKBONE_CONFIG, Configs.toJson(bc));
        d.put(Checkpoint.CROP_EYE, Boolean.toString(job.cropEye()));
        d.put(Checkpoint.HEAD, head.name());
        d.put(Checkpoint.HEAD_CONFIG, Configs.toJson(hc));
        d.put(Checkpoint.HEAD_SIZE, size.featureDim() + "," + size.numClasses());
        d.put(Checkpoint.MODE, mode.name());
        d.put(Checkpoint.MODE_CONFIG, Configs.toJson(modeConfig));
        d.put(Checkpoint.JOB, Configs.toJson(job));
        return d;
    }

    /** The checkpoint to resume from: the one named, or the newest in the output folder. */
    private static Path resumePoint(TrainJob job, Path out) throws IOException {
        if (!job.pretrainModel().isEmpty()) {
            Path p = Path.of(job.pretrainModel());
            if (!p.getFileName().toString().endsWith(".safetensors")) {
                throw new IllegalArgumentException("--resume continues from a checkpoint this toolbox wrote "
                        + "(Epoch_*.safetensors); " + p + " is not one (to start from other weights, drop --resume)");
            }
            return p;
        }
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().matches("Epoch_\\d+(_batch_\\d+)?\\.safetensors"))
                    .max(Comparator.comparing(TrainCommand::modified))
                    .orElseThrow(() -> new IOException("--resume: no checkpoint (Epoch_*.safetensors) in " + out));
        }
    }

    /** Where a checkpoint left off, so a resumed job's bar and loss CSV continue instead of restarting. */
    private static long stepOf(Path checkpoint) {
        if (checkpoint == null) {
            return 0;
        }
        try {
            return Long.parseLong(io.facex.weights.Safetensors.metadata(checkpoint).getOrDefault("step", "0"));
        } catch (IOException | NumberFormatException e) {
            return 0; // the loop reads the checkpoint properly and names what is wrong with it
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    private static ObjectNode withoutSections(ObjectNode cli) {
        ObjectNode copy = cli.deepCopy();
        copy.remove(BACKBONE);
        copy.remove(HEAD);
        return copy;
    }

    private static AutoCloseable closeable(TrainingData d) {
        return d instanceof AutoCloseable c ? c : () -> { };
    }

    /** The option names {@code facex train} accepts with this mode, with their defaults, for its help. */
    public List<String[]> options(String modeName) {
        TrainingMode<?> mode = registry.get(TrainingMode.class, modeName);
        List<String[]> rows = new ArrayList<>();
        JsonNode job = Configs.yaml().valueToTree(TrainJob.defaults());
        job.fields().forEachRemaining(e -> rows.add(new String[] {"--" + e.getKey(), e.getValue().asText(), "job"}));
        JsonNode m = Configs.yaml().valueToTree(mode.defaultConfig());
        m.fields().forEachRemaining(e -> rows.add(new String[] {"--" + e.getKey(), e.getValue().asText(), "mode " + mode.name()}));
        return rows;
    }

    /** Binds the job options with the same strict rules as any plugin configuration. */
    static final Plugin<TrainJob> JOB = new Plugin<>() {
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
