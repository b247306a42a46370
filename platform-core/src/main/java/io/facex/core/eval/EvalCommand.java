package io.facex.core.eval;

import io.facex.api.PluginKind;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import io.facex.core.checkpoint.ModelResolver;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.core.embed.Embedder;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.jobs.Table;
import me.tongfei.progressbar.ProgressBar;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code facex eval}: one checkpoint, or every checkpoint of a folder in epoch order (as FaceX-Zoo's
 * scripts evaluate a run), or an {@link Ensemble} of models ({@code a.safetensors+b.safetensors}), or a
 * comma-separated list of these, on the benchmarks of a FaceX-Zoo {@code data_conf.yaml}. Features are
 * extracted once per model and benchmark and cached; each protocol writes its plots and tables into
 * {@code out/<model>/<benchmark>/}; the results come as a model × benchmark table (the paper's shape)
 * in Markdown, CSV and JSON ({@code results.*}), every metric in {@code metrics.csv} (TAR@FAR, every
 * rank, ...), and every verification pair's score in {@code scores.csv}.
 */
public final class EvalCommand {

    /**
     * @param protocols   protocol names; empty: every registered protocol with a section in the data config
     * @param backbone    the backbone to use, or "" for the one each checkpoint names
     * @param backboneConf YAML with a section for the backbone, or null for the checkpoint's own configuration
     * @param model       a weights file, or a folder of them
     * @param cache       feature cache folder, or null for {@code out/feature_cache}
     * @param maxImagePixels the largest width x height an image may declare; larger ones are refused unread
     * @param cropEye     true: the weights take upper-half faces (for files that do not say; checkpoints record
     *                    it and refuse a contradiction); null: as each checkpoint says
     */
    public record Options(Path dataConf, List<String> protocols, String backbone, Path backboneConf, Path model,
                          Path out, Path cache, boolean flip, int workers, long maxImagePixels, Boolean cropEye) {

        /** Every model as its checkpoint says. */
        public Options(Path dataConf, List<String> protocols, String backbone, Path backboneConf, Path model,
                       Path out, Path cache, boolean flip, int workers, long maxImagePixels) {
            this(dataConf, protocols, backbone, backboneConf, model, out, cache, flip, workers, maxImagePixels, null);
        }
    }

    /** One score of one model. */
    public record Row(String model, ProtocolResult.Score score) {
    }

    /** Per model and protocol: every image that could not be read, with the reason. */
    public static final String UNREADABLE = "unreadable_images.txt";

    private static final Pattern NUMBERS = Pattern.compile("\\d+");

    private final PluginRegistry registry;

    public EvalCommand(PluginRegistry registry) {
        this.registry = registry;
    }

    public List<Row> run(Options o, PrintStream console, boolean interactive) throws Exception {
        ConfigDocument doc = ConfigDocument.read(o.dataConf());
        List<TestProtocol<?>> protocols = protocols(o.protocols(), doc);
        List<List<Path>> models = models(o.model());
        List<Path> named = models.stream().flatMap(List::stream).toList();
        ModelResolver resolver = new ModelResolver(registry);
        Files.createDirectories(o.out());
        FeatureCache cache = new FeatureCache(o.cache() != null ? o.cache() : o.out().resolve("feature_cache"));
        console.printf("evaluating %d model(s) on %s; results in %s%n", models.size(),
                protocols.stream().map(TestProtocol::name).toList(), o.out());
        List<Row> rows = new ArrayList<>();
        try (PairScoresFile pairs = new PairScoresFile(o.out().resolve("scores.csv"))) {
            for (List<Path> model : models) {
                List<Member<?>> members = new ArrayList<>();
                try {
                    for (Path m : model) {
                        Member<?> member = new Member<>(resolver.resolve(m, o.backbone(), o.backboneConf(), o.cropEye()), m,
                                memberName(m, named), o);
                        members.add(member);
                        if (member.resolved.cropEye()) {
                            console.printf("%s: an upper-face model (crop_eye), given the top %d rows of each face%n",
                                    member.name, io.facex.data.EyeCrop.ROWS);
                        }
                    }
                    rows.addAll(evaluate(members, protocols, doc, cache, o, pairs, console, interactive));
                } finally {
                    members.forEach(Member::close);
                }
                write(rows, o.out());
            }
            console.println();
            console.print(wide(rows).render(Table.Format.MD));
            console.printf("%nresults: %s, %s, %s; every metric: %s%n", o.out().resolve("results.md"),
                    o.out().resolve("results.csv"), o.out().resolve("results.json"), o.out().resolve("metrics.csv"));
            if (pairs.rows() > 0) {
                console.printf("every pair's score: %s (%d pairs%s)%n", pairs.file(), pairs.rows(),
                        pairs.skipped() == 0 ? "" : ", " + pairs.skipped() + " skipped, without a score");
            }
        }
        return rows;
    }

    /**
     * One model of an evaluation (alone, or a member of an ensemble): its features of a benchmark come
     * from the cache, or from its network, opened the first time a benchmark is not cached.
     */
    private final class Member<C> implements AutoCloseable {
        private final ModelResolver.Resolved<C> resolved;
        private final Path weights;
        private final String name;
        private final String digest;
        private final FeatureExtractor extractor;
        private Embedder<C> embedder;

        Member(ModelResolver.Resolved<C> resolved, Path weights, String name, Options o) throws IOException {
            this.resolved = resolved;
            this.weights = weights;
            this.name = name;
            this.digest = FeatureCache.modelDigest(weights);
            this.extractor = new FeatureExtractor(o.workers(), o.flip(), o.maxImagePixels(), resolved.cropEye());
        }

        FeatureSet features(String protocol, Path root, List<String> images, FeatureCache cache, PrintStream console,
                            boolean interactive) throws IOException {
            // the label only names the file: the display name changes with the other models of a run
            String key = FeatureCache.key(digest, resolved.backbone().name(), resolved.config(), root, extractor.flip(),
                    resolved.cropEye(), images, modelName(weights) + "-" + protocol);
            FeatureSet features = cache.load(key, images, console).orElse(null);
            if (features != null) {
                console.printf("%s %s: %d features from the cache (%s)%n", protocol, name, images.size(), cache.directory());
                return features;
            }
            if (embedder == null) {
                embedder = registry.use(info(resolved.backbone()), () -> {
                    try {
                        return new Embedder<>(resolved.backbone(), resolved.config(), weights);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            Embedder<C> e = embedder;
            features = registry.use(info(resolved.backbone()), () -> {
                try {
                    return extract(protocol + " " + name + (resolved.cropEye() ? " (upper-half faces)" : ""), e,
                            extractor, root, images, console, interactive);
                } catch (IOException x) {
                    throw new UncheckedIOException(x.getMessage(), x);
                }
            });
            cache.store(key, features);
            return features;
        }

        @Override
        public void close() {
            if (embedder != null) {
                embedder.close();
            }
        }
    }

    private List<Row> evaluate(List<Member<?>> members, List<TestProtocol<?>> protocols, ConfigDocument doc,
                               FeatureCache cache, Options o, PairScoresFile pairs, PrintStream console,
                               boolean interactive) throws Exception {
        String name = String.join("+", members.stream().map(m -> m.name).toList());
        if (members.size() > 1) {
            console.printf("ensemble %s: each model's features L2-normalised, concatenated and normalised again "
                    + "(FaceX-Zoo's is_concat: a pair scores the mean of the models' cosines)%n", name);
        }
        List<Row> rows = new ArrayList<>();
        for (TestProtocol<?> p : protocols) {
            ProtocolResult r = evaluate(p, doc, name, members, cache, o.out(), console, interactive);
            for (ProtocolResult.Score s : r.scores()) {
                rows.add(new Row(name, s));
            }
            pairs.add(name, r.pairs());
        }
        return rows;
    }

    private <P> ProtocolResult evaluate(TestProtocol<P> protocol, ConfigDocument doc, String modelName,
            List<Member<?>> members, FeatureCache cache, Path out, PrintStream console, boolean interactive) throws Exception {
        PluginInfo info = info(protocol);
        P config = configFor(protocol, doc);
        return registry.use(info, () -> {
            try {
                Path root = protocol.imageRoot(config);
                List<String> images = protocol.images(config);
                List<FeatureSet> sets = new ArrayList<>();
                for (Member<?> m : members) {
                    sets.add(m.features(protocol.name(), root, images, cache, console, interactive));
                }
                FeatureSet features = sets.size() == 1 ? sets.get(0) : Ensemble.concat(sets);
                Path dir = Files.createDirectories(out.resolve(safe(modelName)).resolve(safe(protocol.name())));
                Path unreadable = dir.resolve(UNREADABLE);
                Files.deleteIfExists(unreadable);
                if (!features.failures().isEmpty()) {
                    Map.Entry<String, String> first = features.failures().entrySet().iterator().next();
                    Files.write(unreadable, features.failures().values());
                    console.printf("%s: %d image(s) could not be read, e.g. %s; their pairs are skipped and counted; "
                            + "all are named in %s%n", protocol.name(), features.failures().size(), first.getValue(), unreadable);
                }
                ProtocolResult r = protocol.evaluate(config, features, dir);
                r.skipped().forEach((why, n) -> {
                    if (n > 0) {
                        console.printf("%s %s: %d skipped (%s)%n", protocol.name(), modelName, n, why);
                    }
                });
                r.artifacts().forEach((what, file) -> console.printf("%s %s: %s -> %s%n", protocol.name(), modelName, what, file));
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        });
    }

    private static FeatureSet extract(String task, Embedder<?> embedder, FeatureExtractor extractor, Path root,
                                      List<String> images, PrintStream console, boolean interactive) throws IOException {
        try (ProgressBar bar = io.facex.core.jobs.Progress.bar(task, images.size(), 0, " images", console, interactive)) {
            return extractor.extract(embedder, root, images, bar::stepBy);
        }
    }

    private List<TestProtocol<?>> protocols(List<String> names, ConfigDocument doc) {
        List<TestProtocol<?>> out = new ArrayList<>();
        if (!names.isEmpty()) {
            for (String n : names) {
                TestProtocol<?> p = registry.get(TestProtocol.class, n);
                if (!hasSections(p, doc)) {
                    throw new IllegalArgumentException(doc.file() + ": no section '" + p.name() + "' for protocol "
                            + p.name() + "; sections: " + doc.sections());
                }
                out.add(p);
            }
            return out;
        }
        // in the file's order, which is how people lay out their tables
        for (String section : doc.sections()) {
            for (PluginInfo i : registry.list()) {
                if (i.kind().equals(PluginKind.TEST_PROTOCOL) && hasSections((TestProtocol<?>) i.plugin(), doc)
                        && !out.contains((TestProtocol<?>) i.plugin())
                        && (section.equals(i.name()) || section.startsWith(i.name() + "_"))) {
                    out.add((TestProtocol<?>) i.plugin());
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(doc.file() + ": none of its sections " + doc.sections()
                    + " names an installed protocol (" + registry.list().stream()
                    .filter(i -> i.kind().equals(PluginKind.TEST_PROTOCOL)).map(PluginInfo::name).toList() + ")");
        }
        return out;
    }

    /**
     * A protocol's section, or — for a benchmark FaceX-Zoo splits into subsets, as RFW into
     * {@code RFW_African}, {@code RFW_Asian}, ... — its subsets' sections as the keys of one
     * configuration ({@code african}, {@code asian}, ...).
     */
    static <P> P configFor(TestProtocol<P> protocol, ConfigDocument doc) {
        if (doc.sections().contains(protocol.name())) {
            return Configs.bind(protocol, doc, protocol.name());
        }
        com.fasterxml.jackson.databind.node.ObjectNode node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (String s : subsetSections(protocol, doc)) {
            node.set(s.substring(protocol.name().length() + 1).toLowerCase(Locale.ROOT), doc.root().get(s));
        }
        return Configs.bind(protocol, doc, List.of(protocol.name()), node);
    }

    private static boolean hasSections(TestProtocol<?> p, ConfigDocument doc) {
        return doc.sections().contains(p.name()) || !subsetSections(p, doc).isEmpty();
    }

    private static List<String> subsetSections(TestProtocol<?> p, ConfigDocument doc) {
        return doc.sections().stream().filter(s -> s.startsWith(p.name() + "_")).toList();
    }

    /**
     * What {@code -m} names, each an entry of the results: a file, the weight files of a folder in natural
     * order (Epoch_2 before Epoch_10; batches before the epoch's end), an ensemble of files joined by
     * '+', or a comma-separated list of these. A name that exists as a file or folder is taken as one.
     */
    static List<List<Path>> models(Path model) throws IOException {
        if (Files.exists(model)) {
            return weights(model).stream().map(List::of).toList();
        }
        String spec = model.toString();
        if (!spec.contains("+") && !spec.contains(",")) {
            throw new IOException(model + ": no such checkpoint or folder");
        }
        List<List<Path>> out = new ArrayList<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.strip().split("\\+");
            if (parts.length == 1) {
                weights(Path.of(parts[0])).forEach(p -> out.add(List.of(p)));
                continue;
            }
            List<Path> members = new ArrayList<>();
            for (String part : parts) {
                Path p = Path.of(part.strip());
                if (!Files.isRegularFile(p)) {
                    throw new IOException(p + ": no such checkpoint (each model of an ensemble a+b is one weights file)");
                }
                members.add(p);
            }
            out.add(members);
        }
        if (out.isEmpty()) {
            throw new IOException(model + ": no models named");
        }
        return out;
    }

    private static List<Path> weights(Path model) throws IOException {
        if (!Files.exists(model)) {
            throw new IOException(model + ": no such checkpoint or folder");
        }
        if (!Files.isDirectory(model)) {
            return List.of(model);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(model)) {
            files = s.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().matches("(?i)[^.].*\\.(safetensors|pt|pth|npz)"))
                    .sorted(Comparator.comparing(EvalCommand::naturalKey)).toList();
        }
        if (files.isEmpty()) {
            throw new IOException(model + ": no checkpoints (.safetensors, .pt, .pth, .npz) in this folder");
        }
        return files;
    }

    /**
     * A model's name in the results (an ensemble's joins its members'): its file name, with its folder when
     * another model named by {@code -m} has the same file name (run_full/Epoch_4+run_eye/Epoch_4).
     */
    static String memberName(Path member, List<Path> named) {
        String n = modelName(member);
        Path self = member.toAbsolutePath().normalize();
        long same = named.stream().filter(p -> modelName(p).equals(n))
                .map(p -> p.toAbsolutePath().normalize()).distinct().filter(p -> !p.equals(self)).count();
        Path parent = member.toAbsolutePath().normalize().getParent();
        return same > 0 && parent != null && parent.getFileName() != null ? parent.getFileName() + "/" + n : n;
    }

    private static String naturalKey(Path p) {
        String n = modelName(p);
        // an epoch's final checkpoint (Epoch_3) sorts after its batches (Epoch_3_batch_99)
        if (n.matches("(?i)epoch_\\d+")) {
            n = n + "_batch_999999999";
        }
        Matcher m = NUMBERS.matcher(n);
        StringBuilder s = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(s, "0".repeat(Math.max(0, 12 - m.group().length())) + m.group());
        }
        m.appendTail(s);
        return s.toString();
    }

    static String modelName(Path p) {
        String f = p.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private PluginInfo info(io.facex.api.Plugin<?> plugin) {
        return registry.infoOf(plugin);
    }

    /** model × (benchmark, metric) with each benchmark's first metric, as the paper's tables. */
    static Table wide(List<Row> rows) {
        Set<String> models = new LinkedHashSet<>();
        Map<String, String> columns = new LinkedHashMap<>();
        Map<String, String> cells = new LinkedHashMap<>();
        for (Row r : rows) {
            models.add(r.model());
            columns.putIfAbsent(r.score().benchmark(), r.score().metric());
            if (columns.get(r.score().benchmark()).equals(r.score().metric())) {
                cells.putIfAbsent(r.model() + "\n" + r.score().benchmark(), value(r.score()));
            }
        }
        List<String> header = new ArrayList<>();
        header.add("model");
        columns.forEach((b, m) -> header.add(m.equals("accuracy") ? b : b + " " + m));
        Table t = new Table(header.toArray(String[]::new));
        for (String m : models) {
            List<Object> line = new ArrayList<>();
            line.add(m);
            columns.keySet().forEach(b -> line.add(cells.getOrDefault(m + "\n" + b, "")));
            t.add(line.toArray());
        }
        return t;
    }

    private static String value(ProtocolResult.Score s) {
        return Double.isNaN(s.stdError()) ? String.format(Locale.ROOT, "%.4f", s.value())
                : String.format(Locale.ROOT, "%.4f ± %.4f", s.value(), s.stdError());
    }

    private static void write(List<Row> rows, Path out) throws IOException {
        Table wide = wide(rows);
        Files.writeString(out.resolve("results.md"), wide.render(Table.Format.MD));
        Files.writeString(out.resolve("results.csv"), wide.render(Table.Format.CSV));
        Files.writeString(out.resolve("results.json"), wide.render(Table.Format.JSON));
        Table all = new Table("model", "benchmark", "metric", "value", "std_error");
        for (Row r : rows) {
            ProtocolResult.Score s = r.score();
            all.add(r.model(), s.benchmark(), s.metric(), String.format(Locale.ROOT, "%.10f", s.value()),
                    Double.isNaN(s.stdError()) ? "" : String.format(Locale.ROOT, "%.10f", s.stdError()));
        }
        Files.writeString(out.resolve("metrics.csv"), all.render(Table.Format.CSV));
    }
}
