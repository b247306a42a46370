package io.facex.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facex.tools.synthetic.SyntheticFaces;
import io.facex.launch.FacexContainer;
import io.facex.weights.Npy;
import io.facex.weights.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import io.facex.api.Head;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training, resuming and embedding through the real launcher and bundles, on a tiny synthetic dataset
 * (real JPEG files, decoded by OpenCV inside the container), and the main job on a reduced configuration,
 * whose trained model must clear both baselines.
 */
class TrainingInContainerTest {

    static Path home;
    static FacexContainer container;
    static SyntheticFaces.Result data;

    @BeforeAll
    static void boot() throws Exception {
        home = Dist.newHome();
        container = FacexContainer.start(home, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true));
        data = SyntheticFaces.builder(home.resolve("syn")).identities(6).imagesPerIdentity(4).heldOutIdentities(4)
                .folds(10).pairsPerFold(1).seed(3).overwrite(true).generate();
    }

    @AfterAll
    static void shutdown() throws Exception {
        container.close();
    }

    static ContainerTest.Result run(String line) {
        return run(container, line);
    }

    static ContainerTest.Result run(FacexContainer container, String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = container.execute(line, out, err);
        return new ContainerTest.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String trainLine(Path out, int epochs) {
        return trainLine(data.trainRoot(), out, epochs);
    }

    private static String trainLine(Path root, Path out, int epochs) {
        return "train --data_root " + root + " --train_file " + data.trainList() + " --out_dir " + out
                + " --epoches " + epochs + " --batch_size 8 --print_freq 1 --save_freq 2 --workers 1 --lr 0.01";
    }

    /**
     * Every head the distribution ships trains MobileFaceNet on the synthetic faces through the real
     * command: 12 steps, no NaN, and the loss of the last three steps below that of the first three.
     */
    @TestFactory
    Stream<DynamicTest> everyHeadTrainsMobileFaceNet() {
        List<String> heads = ServiceLoader.load(Head.class).stream().map(ServiceLoader.Provider::get)
                .filter(Head::needsClassCount).map(Head::name).sorted().toList();
        assertTrue(heads.size() >= 10, "heads found: " + heads);
        return heads.stream().map(head -> DynamicTest.dynamicTest(head, () -> {
            Path out = home.resolve("head-" + head);
            ContainerTest.Result r = run(trainLine(out, 4) + " --head_type " + head + " --save_freq 1000");
            assertEquals(0, r.status(), head + ": " + r.err() + r.out());
            List<String> rows = Files.readAllLines(out.resolve("train_loss.csv"));
            double[] loss = rows.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[3])).toArray();
            assertEquals(12, loss.length, head + ": " + rows);
            for (double v : loss) {
                assertTrue(Double.isFinite(v), head + ": " + rows);
            }
            double first = (loss[0] + loss[1] + loss[2]) / 3;
            double last = (loss[9] + loss[10] + loss[11]) / 3;
            assertTrue(last < first, head + ": the loss did not fall: " + java.util.Arrays.toString(loss));
        }));
    }

    @Test
    void trainsWritesReportsResumesAndEmbeds() throws Exception {
        Path out = home.resolve("run");
        ContainerTest.Result r = run(trainLine(out, 1));
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("training MobileFaceNet + MV-Softmax (conventional) on 24 images of 6 identities"), r.out());
        for (String f : new String[] {"Epoch_0.safetensors", "Epoch_0_batch_1.safetensors", "train.log", "train_loss.csv", "train_loss.png"}) {
            assertTrue(Files.exists(out.resolve(f)), f + " in " + out);
        }
        assertEquals(4, Files.readAllLines(out.resolve("train_loss.csv")).size(), "header + 3 steps");

        r = run(trainLine(out, 2) + " --resume");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("resumed from " + out.resolve("Epoch_0.safetensors") + ": epoch 1, batch 0, step 3"), r.out());
        assertTrue(r.out().contains("trained 2 epochs, 6 steps"), r.out());
        assertEquals(7, Files.readAllLines(out.resolve("train_loss.csv")).size(), "the resumed job appends: header + 6 steps");

        r = run(trainLine(home.resolve("from-pt"), 1) + " --pretrain_model "
                + Path.of("../platform-weights/src/test/resources/fixtures/facexzoo_mobilefacenet_mv_epoch0.pt").toAbsolutePath());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("the head starts fresh"), r.out());
        r = run(trainLine(home.resolve("from-ours"), 1) + " --pretrain_model " + out.resolve("Epoch_0.safetensors"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("backbone initialised from " + out.resolve("Epoch_0.safetensors")), r.out());
        assertTrue(r.out().contains("head initialised from " + out.resolve("Epoch_0.safetensors")), r.out());

        Path features = home.resolve("features.npy");
        r = run("embed --weights " + out.resolve("Epoch_1.safetensors") + " --input " + data.imageList()
                + " --data_root " + data.testRoot() + " --output " + features);
        assertEquals(0, r.status(), r.err());
        Tensor t = Npy.read(features);
        assertEquals(data.testImages(), t.shape()[0]);
        assertEquals(512, t.shape()[1]);

        // A backbone configured on the command line is recorded in the checkpoint: embed needs no -b
        // and gets the configuration with it (128-d features, not the default 512).
        Path small = home.resolve("small");
        r = run(trainLine(small, 1) + " --set backbone.feat_dim=128 --set head.margin=0.3");
        assertEquals(0, r.status(), r.err() + r.out());
        r = run("embed --weights " + small.resolve("Epoch_0.safetensors") + " --input " + data.imageList()
                + " --data_root " + data.testRoot() + " --output " + features);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("of 128 values from MobileFaceNet"), r.out());
        assertEquals(128, Npy.read(features).shape()[1]);
        Map<String, String> meta = io.facex.weights.Safetensors.metadata(small.resolve("Epoch_0.safetensors"));
        assertEquals("MV-Softmax", meta.get("head"));
        assertTrue(meta.get("head_config").contains("\"margin\":0.3"), meta.get("head_config"));
        assertTrue(meta.get("job").contains("\"out_dir\":\"" + small + "\""), meta.get("job"));
        assertEquals("128,6", meta.get("head_size"));

        // A -b that contradicts the checkpoint is refused rather than mis-loaded.
        r = run("embed -b ResNet --weights " + small.resolve("Epoch_0.safetensors") + " --input " + data.imageList()
                + " --data_root " + data.testRoot() + " --output " + features);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("holds a MobileFaceNet backbone, not ResNet"), r.err());

        // A checkpoint written before checkpoints named their model still loads, with -b, and still resumes.
        Path old = home.resolve("old");
        Files.createDirectories(old);
        io.facex.weights.StateDict sd = io.facex.weights.Safetensors.read(out.resolve("Epoch_0.safetensors"));
        Map<String, Object> oldMeta = new java.util.LinkedHashMap<>();
        for (String k : new String[] {"epoch", "batch_id", "end_of_epoch", "step", "lr"}) {
            oldMeta.put(k, sd.extras().get(k));
        }
        oldMeta.put("format", "facex-j/conventional/1");
        io.facex.weights.Safetensors.write(old.resolve("Epoch_0.safetensors"), new io.facex.weights.StateDict("old", sd.asMap(), oldMeta));
        r = run("embed --weights " + old.resolve("Epoch_0.safetensors") + " --input " + data.imageList()
                + " --data_root " + data.testRoot() + " --output " + features);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("does not say which backbone it holds") && r.err().contains("give -b NAME"), r.err());
        r = run("embed -b MobileFaceNet --weights " + old.resolve("Epoch_0.safetensors") + " --input " + data.imageList()
                + " --data_root " + data.testRoot() + " --output " + features);
        assertEquals(0, r.status(), r.err());
        r = run(trainLine(old, 2) + " --resume");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("resumed from " + old.resolve("Epoch_0.safetensors") + ": epoch 1, batch 0, step 3"), r.out());
        float[] f = t.toFloatArray();
        double n = 0;
        for (int i = 0; i < 512; i++) {
            n += f[i] * f[i];
        }
        assertEquals(1.0, n, 1e-4);
    }

    /** A second training into a folder a running training holds is refused, naming the holder. */
    @Test
    void aRunningTrainingsFolderIsRefusedToASecondOne() throws Exception {
        Path out = home.resolve("busy");
        Files.createDirectories(out);
        Path lock = out.resolve(".facex-train.lock");
        java.util.concurrent.CompletableFuture<ContainerTest.Result> first =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> run(trainLine(out, 2)));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!(Files.exists(lock) && Files.readString(lock).startsWith("pid ")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ContainerTest.Result second = run(trainLine(out, 1) + " --resume");
        ContainerTest.Result done = first.get();
        assertEquals(0, done.status(), done.err());
        assertEquals(1, second.status(), "refused while the first ran: " + second.out());
        assertTrue(second.err().contains(out + " is in use by a running training (pid " + ProcessHandle.current().pid()),
                second.err());
        assertEquals("", Files.readString(lock), "released when the first finished");
        assertEquals(0, run(trainLine(out, 3) + " --resume").status(), "free again afterwards");
    }

    @Test
    void badTrainingInputIsNamed() throws Exception {
        ContainerTest.Result r = run("train --train_file " + data.trainList());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("data_root: is required"), r.err());

        Path list = home.resolve("bad_list.txt");
        Files.writeString(list, "00000/0001.jpg 0\n00000/0002.jpg zero\n");
        r = run("train --data_root " + data.trainRoot() + " --train_file " + list + " --out_dir " + home.resolve("x"));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("bad_list.txt:2"), r.err());

        Path conf = home.resolve("train.yaml");
        Files.writeString(conf, "data_root: " + data.trainRoot() + "\ntrain_file: " + data.trainList() + "\nlearning_rate: 0.1\n");
        r = run("train --config " + conf);
        assertEquals(1, r.status());
        assertTrue(r.err().contains(conf + ":3: learning_rate: unknown key for training with mode conventional"), r.err());

        // Any option of the mode, backbone or head on the command line, checked like the YAML path.
        String base = "train --data_root " + data.trainRoot() + " --train_file " + data.trainList() + " --out_dir "
                + home.resolve("y");
        r = run(base + " --lrr 0.1");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("command line: lrr: unknown option --lrr for training with mode conventional "
                + "(did you mean 'lr'?)"), r.err());
        r = run(base + " --set head.margn=0.3");
        assertTrue(r.err().contains("command line: head.margn: unknown key for MV-Softmax (did you mean 'margin'?)"), r.err());
        r = run(base + " --set backbone.feat_dim=wide");
        assertTrue(r.err().contains("command line: backbone.feat_dim: expected an integer, got 'wide'"), r.err());
        r = run(base + " --seed 3000000000");
        assertTrue(r.err().contains("command line: seed: must be in [0, 2147483647], got 3000000000"), r.err());
        r = run(base + " stray");
        assertTrue(r.err().contains("unexpected argument 'stray'"), r.err());
        Files.writeString(conf, "data_root: " + data.trainRoot() + "\ntrain_file: " + data.trainList() + "\nhead:\n  margin: 2\n");
        r = run("train -c " + conf);
        assertTrue(r.err().contains(conf + ":4: head.margin: must be in [0, π/2), got 2.0"), r.err());
        r = run("train --help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("--weight_decay") && r.out().contains("--set backbone.KEY=VALUE"), r.out());

        Path missing = home.resolve("missing.jpg");
        Path images = Files.writeString(home.resolve("images.txt"), missing.getFileName() + "\n");
        r = run("embed -b MobileFaceNet --weights " + Path.of("../platform-weights/src/test/resources/fixtures/facexzoo_mobilefacenet_mv_epoch0.pt").toAbsolutePath()
                + " --input " + images + " --output " + home.resolve("o.npy"));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("images.txt:1") && r.err().contains("no such image"), r.err());

        r = run("embed -b MobileFaceNet --weights " + Path.of("../platform-weights/src/test/resources/fixtures/hostile_checkpoint.pt").toAbsolutePath()
                + " --input " + images + " --output " + home.resolve("o.npy"));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("refusing to load hostile_checkpoint.pt: its pickle calls builtins.eval"), r.err());
        assertEquals(0, run("list").status(), "the container keeps working");
    }

    @Test
    void writesAListFromFoldersAndSkipsUnreadableImagesWhenAsked() throws Exception {
        Path list = home.resolve("from_folders.txt");
        ContainerTest.Result r = run("trainlist " + data.trainRoot() + " " + list);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("24 images of 6 identities"), r.out());
        assertEquals(Files.readAllLines(data.trainList()), Files.readAllLines(list));

        // one corrupt image among real ones
        Path root = home.resolve("broken");
        copyTree(data.trainRoot(), root);
        Files.write(root.resolve("00002/0003.jpg"), new byte[] {1, 2, 3});
        r = run(trainLine(root, home.resolve("b1"), 1));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("0003.jpg") && r.err().contains("train_list.txt:11"), r.err());
        r = run(trainLine(root, home.resolve("b2"), 1) + " --skip_bad_images");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("1 unreadable images were left out"), r.out());
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void everyBenchmarkIsReachableAsBenchNameAndPrintsOneLine() {
        ContainerTest.Result r = run("bench");
        assertEquals(0, r.status(), r.err());
        for (String name : new String[] {"train", "infer", "loader", "extract", "tenfold", "search", "detect"}) {
            assertTrue(r.out().matches("(?s).*\n" + name + " .*"), name + " listed: " + r.out());
        }
        String[][] runs = {
            {"train --batch 2 --classes 10 --warmup 1 --reps 2",
                "train: training step MobileFaceNet \\+ MV-Softmax \\(10 classes, conventional\\), batch 2, [^:]*: [0-9.,]+ images/s"},
            {"infer --batch 2 --warmup 0 --reps 2",
                "infer: forward pass MobileFaceNet \\(eval, no grad, 50 BatchNorms folded\\), batch 2, [^:]*: [0-9.,]+ images/s"},
            {"loader --batch 4 --warmup 1 --reps 2 --workers 1",
                "loader: data loader \\(OpenCV decode \\+ flip \\+ normalise\\), batch 4, 1 workers: [0-9.,]+ images/s"},
            {"extract --batch 2 --warmup 0 --reps 2 --workers 1",
                "extract: feature extraction MobileFaceNet [^:]*16 images per run[^:]*: [0-9.,]+ images/s"},
            {"tenfold --pairs 200 --warmup 1 --reps 3", "tenfold: 10-fold accuracy of 200 pairs: [0-9.,]+ pairs/s"},
            {"search --probes 4 --distractors 50 --runs 2 --warmup 0 --search_threads 1",
                "search: MegaFace search 4 probes x 50 distractors x 512 dims, top-10, djl engine, 1 threads: [0-9.,]+ scores/s"},
            {"detect --width 96 --height 64 --callers 2 --warmup 0 --reps 2",
                "detect: RetinaFace on a 96x64 random image \\(\\d+ faces\\), 2 callers, libtorch [^:]*: [0-9.,]+ images/s"},
        };
        for (String[] run : runs) {
            r = run("bench " + run[0]);
            assertEquals(0, r.status(), r.err());
            String line = r.out().strip();
            assertFalse(line.contains("\n"), "one line: " + line);
            assertTrue(line.matches(run[1] + " \\(median of \\d+ runs after \\d+ warm-up; min .*, max .*; peak RSS [0-9.]+ GB; "
                    + "other processes used \\d+% of one core meanwhile.*\\)"), line);
        }
        r = run("bench nothing");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("nothing"), r.err());
        r = run("bench train --bach 2");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("command line: bach: unknown key for train (did you mean 'batch'?)"), r.err());
        r = run("bench search --engine gpu");
        assertTrue(r.err().contains("command line: engine: expected java or djl, got 'gpu'"), r.err());
    }

    /**
     * The main job, reduced: 60 training identities x 16 images, three epochs at lr 0.05 (90 steps), 50 held-out
     * identities with LFW's 10 folds of 30 + 30 pairs. Measured on a 2-core AMD EPYC: trained 0.9050, 0.8683, 0.9033
     * with seeds 0, 1, 2, each 0.23 to 0.24 above the better baseline (raw pixels 0.63-0.66, untrained 0.63-0.68).
     * Accuracy is deterministic on one machine but not across machines (the full default run gave 0.9267 on one and
     * 0.9083 on another), hence a floor well below what was measured.
     */
    /** How far SST must lead conventional training on average over the seeds, in held-out accuracy. */
    static final double SHALLOW_MIN_MEAN_GAIN = 0.005;

    /**
     * Issue 12's evidence, through the real command at its defaults (the README's figures): on shallow
     * synthetic faces (two images per identity) semi-siamese training verifies held-out identities better
     * than conventional training with the same backbone, epochs, batch size and seeds, on average over
     * the three seeds by at least {@link #SHALLOW_MIN_MEAN_GAIN}. Not on every seed, and not by a fixed
     * multiple of the seeds' spread: a single seed's gain moves by about 0.02 with nothing but rounding
     * (another CPU's kernels, another summation order), so over three seeds only the mean is a stable
     * claim, and the floor catches an SST that falls behind conventional training on average, not the size
     * of its lead; the README gives the gains over more seeds and on two machines.
     */
    @Test
    void semiSiameseTrainingBeatsConventionalTrainingOnShallowFaces() throws Exception {
        Path out = home.resolve("shallow");
        ContainerTest.Result r = run("shallow --out " + out);
        assertEquals(0, r.status(), r.err() + r.out());
        String table = Files.readString(out.resolve("results.md"));
        System.out.print("shallow (defaults)\n" + table);
        for (String f : new String[] {"results.md", "results.csv", "results.json", "seed-0/semi-siamese/train_loss.csv",
                "seed-2/conventional/train_loss.csv"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        List<Double> gains = new java.util.ArrayList<>();
        for (JsonNode row : new ObjectMapper().readTree(out.resolve("results.json").toFile())) {
            if (row.get("seed").asText().matches("\\d+")) {
                double conventional = Double.parseDouble(row.get("conventional, MV-Softmax").asText());
                double sst = Double.parseDouble(row.get("semi-siamese, SST_Prototype").asText());
                gains.add(sst - conventional);
            }
        }
        assertEquals(3, gains.size(), table);
        double mean = gains.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(mean >= SHALLOW_MIN_MEAN_GAIN, String.format(java.util.Locale.ROOT,
                "SST's mean gain %.4f over the seeds must reach %.3f%n%s", mean, SHALLOW_MIN_MEAN_GAIN, table));
    }

    static final String QUICKSTART_REDUCED = "--identities 60 --images 16 --epoches 3 --lr 0.05 --held-out 50 --pairs 30";

    /** How far the trained model must clear the better of the two baselines (raw pixels, untrained network). */
    static final double QUICKSTART_MIN_GAIN = 0.10;

    @Test
    void quickstartTrainsAModelThatClearsBothBaselines() throws Exception {
        Path out = home.resolve("qs");
        ContainerTest.Result r = run("quickstart --out " + out + " " + QUICKSTART_REDUCED);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().matches("(?s).*\\| raw pixels +\\| 0\\.\\d{4} .*"), r.out());
        assertTrue(r.out().matches("(?s).*\\| MobileFaceNet \\+ MV-Softmax, trained \\| [01]\\.\\d{4} .*"), r.out());
        assertTrue(r.out().matches("(?s).*\naccuracy: [01]\\.\\d{4}\n.*"), r.out());
        for (String f : new String[] {"results.md", "results.csv", "results.json", "train/train_loss.png", "eval/results.md"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }

        Map<String, Double> accuracy = new java.util.LinkedHashMap<>();
        for (JsonNode row : new ObjectMapper().readTree(out.resolve("results.json").toFile())) {
            accuracy.put(row.get("model").asText(), Double.parseDouble(row.get("accuracy").asText()));
        }
        String table = Files.readString(out.resolve("results.md"));
        System.out.print("quickstart " + QUICKSTART_REDUCED + "\n" + table);
        assertEquals(java.util.List.of("raw pixels", "MobileFaceNet, untrained", "MobileFaceNet + MV-Softmax, trained"),
                java.util.List.copyOf(accuracy.keySet()), table);
        double raw = accuracy.get("raw pixels");
        double untrained = accuracy.get("MobileFaceNet, untrained");
        double trained = accuracy.get("MobileFaceNet + MV-Softmax, trained");
        assertTrue(trained >= Math.max(raw, untrained) + QUICKSTART_MIN_GAIN, String.format(java.util.Locale.ROOT,
                "the trained model (%.4f) must beat raw pixels (%.4f) and the untrained network (%.4f) by %.2f:%n%s",
                trained, raw, untrained, QUICKSTART_MIN_GAIN, table));
    }
}
