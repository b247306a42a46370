package io.facex.assembly;

import io.facex.launch.FacexContainer;
import io.facex.tools.synthetic.SyntheticDevkit;
import io.facex.tools.synthetic.SyntheticFaces;
import io.facex.weights.Safetensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FaceX-Zoo's masked-face recipes (its paper's Figure 7) through the real commands in the container, on
 * tiny synthetic data: (a) a full-face model, (b) an upper-half-face model ({@code --crop_eye}, MobileFaceNet
 * {@code out_h: 4}), (c) training on a merged original + "masked" list, (d) the ensemble of (a) and (b),
 * evaluated on synthetic LFW, MegaFace and MegaFace-Mask; and {@code facex masked}, which runs them all on
 * FMA-3D-masked synthetic data. A few steps each: this checks the plumbing, not accuracy.
 */
class MaskedRecipesInContainerTest {

    static Path home;
    static FacexContainer container;
    static SyntheticFaces.Result data;
    static Path dataConf;
    static Path full;
    static Path eye;

    @BeforeAll
    static void boot() throws Exception {
        home = Dist.newHome();
        container = FacexContainer.start(home, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true));
        data = SyntheticFaces.builder(home.resolve("syn")).identities(6).imagesPerIdentity(4).heldOutIdentities(4)
                .folds(10).pairsPerFold(1).seed(8).overwrite(true).generate();
        SyntheticDevkit.Result kit = SyntheticDevkit.builder(home.resolve("kit")).identities(4).imagesPerIdentity(3)
                .distractors(20).seed(8).write();
        String megaface = Files.readString(kit.dataConf());
        String section = megaface.substring(megaface.indexOf("MegaFace:"));
        dataConf = Files.writeString(home.resolve("data_conf.yaml"), "LFW:\n  pairs_file_path: " + data.pairs()
                + "\n  cropped_face_folder: " + data.testRoot() + "\n" + section
                + section.replace("MegaFace:", "MegaFace-Mask:").replace("megaface-mask: 0", "megaface-mask: 1"));
        full = home.resolve("full");
        eye = home.resolve("eye");
        ContainerTest.Result a = run(train(data.trainRoot(), data.trainList(), full));
        assertEquals(0, a.status(), a.err() + a.out());
        ContainerTest.Result b = run(train(data.trainRoot(), data.trainList(), eye) + " --crop_eye --set backbone.out_h=4");
        assertEquals(0, b.status(), b.err() + b.out());
    }

    @AfterAll
    static void shutdown() throws Exception {
        container.close();
    }

    static ContainerTest.Result run(String line) {
        return TrainingInContainerTest.run(container, line);
    }

    private static String train(Path root, Path list, Path out) {
        return "train --data_root " + root + " --train_file " + list + " --out_dir " + out
                + " --epoches 1 --batch_size 8 --print_freq 1 --save_freq 1000 --workers 1 --lr 0.01";
    }

    /** results.csv as model → its cells after the name. */
    private static Map<String, List<String>> results(Path out) throws Exception {
        Map<String, List<String>> rows = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(out.resolve("results.csv")).subList(1, Files.readAllLines(out.resolve("results.csv")).size())) {
            List<String> cells = Arrays.asList(line.split(","));
            rows.put(cells.get(0), cells.subList(1, cells.size()));
        }
        return rows;
    }

    private static long cacheEntries(Path cache) throws Exception {
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(p -> p.toString().endsWith(".npy")).count();
        }
    }

    @Test
    void theUpperFaceModelRecordsItsCropAndIsEvaluatedAndEmbeddedOnUpperHalves() throws Exception {
        Path eye0 = eye.resolve("Epoch_0.safetensors");
        Map<String, String> meta = Safetensors.metadata(eye0);
        assertEquals("true", meta.get("crop_eye"));
        assertTrue(meta.get("job").contains("\"crop_eye\":true"), meta.get("job"));
        assertTrue(meta.get("backbone_config").contains("\"out_h\":4"), meta.get("backbone_config"));
        assertEquals("false", Safetensors.metadata(full.resolve("Epoch_0.safetensors")).get("crop_eye"));

        Path list = Files.write(home.resolve("two.txt"), Files.readAllLines(data.imageList()).subList(0, 2));
        ContainerTest.Result r = run("embed --weights " + eye0 + " --input " + list + " --data_root " + data.testRoot()
                + " --output " + home.resolve("two.npy"));
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("2 features of 512 values from MobileFaceNet on upper-half faces (crop_eye)"), r.out());

        r = run("eval -d " + dataConf + " -m " + full.resolve("Epoch_0.safetensors") + " --crop_eye -p LFW -o " + home.resolve("no"));
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("was trained on full faces (crop_eye: false in its metadata), not upper halves: drop --crop_eye"),
                r.err());

        r = run(train(data.trainRoot(), data.trainList(), home.resolve("wrong")) + " --crop_eye");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("crop_eye: crop_eye gives 112x60 faces (the top 60 rows of the aligned 112x112 face), "
                + "but the backbone takes 112x112"), r.err());
    }

    @Test
    void theEnsembleConcatenatesCachedFeaturesAndAModelWithItselfScoresAsTheModel() throws Exception {
        Path cache = home.resolve("cache");
        String f = full.resolve("Epoch_0.safetensors").toString();
        String e = eye.resolve("Epoch_0.safetensors").toString();
        // each model on its own first, as one evaluates a run; there each is named Epoch_0
        Path alone = home.resolve("full-alone");
        ContainerTest.Result r = run("eval -d " + dataConf + " -m " + f + " --cache " + cache + " -o " + alone);
        assertEquals(0, r.status(), r.err() + r.out());
        r = run("eval -d " + dataConf + " -m " + e + " --cache " + cache + " -o " + home.resolve("eye-alone"));
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("Epoch_0: an upper-face model (crop_eye), given the top 60 rows of each face"), r.out());
        long entries = cacheEntries(cache);
        assertEquals(6, entries, "two models on three benchmarks");

        Path ensembles = home.resolve("ensembles");
        r = run("eval -d " + dataConf + " -m " + f + "+" + e + "," + f + "+" + f + " --cache " + cache + " -o " + ensembles);
        assertEquals(0, r.status(), r.err() + r.out());
        assertEquals(entries, cacheEntries(cache), "an ensemble of evaluated models extracts nothing new");
        assertTrue(r.out().contains("ensemble full/Epoch_0+eye/Epoch_0: each model's features L2-normalised, concatenated "
                + "and normalised again"), r.out());
        assertTrue(r.out().contains("LFW eye/Epoch_0: ") && r.out().contains("features from the cache"), r.out());

        Map<String, List<String>> one = results(alone);
        Map<String, List<String>> two = results(ensembles);
        assertEquals(List.of("Epoch_0"), List.copyOf(one.keySet()));
        assertEquals(List.of("full/Epoch_0+eye/Epoch_0", "full/Epoch_0+full/Epoch_0"), List.copyOf(two.keySet()));
        String header = Files.readAllLines(ensembles.resolve("results.csv")).get(0);
        assertTrue(header.contains("LFW") && header.contains("MegaFace@10 rank-1") && header.contains("MegaFace-Mask@10 rank-1"),
                header);
        assertEquals(one.get("Epoch_0"), two.get("full/Epoch_0+full/Epoch_0"), "a model with itself: the model's every figure");
        for (String cell : two.get("full/Epoch_0+eye/Epoch_0")) {
            assertTrue(cell.matches("[01]\\.\\d{4}( ± 0\\.\\d{4})?"), cell);
        }
    }

    /**
     * {@code facex masked}, the whole masked path at toy size: synthetic faces and devkit, FMA-3D masks along
     * the renderer's landmarks, three trainings, MegaFace and MegaFace-Mask for five recipes.
     */
    @Test
    void theMaskedCommandRunsTheWholeMaskedPath() throws Exception {
        Path out = home.resolve("masked-recipes");
        ContainerTest.Result r = run("masked -o " + out + " --identities 6 --images 3 --probes 4 --probe_images 2 "
                + "--distractors 20 --epoches 1 --batch_size 8");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("18 of 18 training images masked") && r.out().contains("8 probes masked"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals("recipe,MegaFace rank-1,MegaFace-Mask rank-1", csv.get(0));
        assertEquals(List.of("(a) full faces", "(b) upper half (crop_eye)", "(c) faces + masked faces", "(a)+(b) ensemble",
                "(c)+(b) ensemble"), csv.subList(1, csv.size()).stream().map(l -> l.substring(0, l.indexOf(','))).toList());
        for (String line : csv.subList(1, csv.size())) {
            for (String cell : line.substring(line.indexOf(',') + 1).split(",")) {
                assertTrue(cell.matches("[01]\\.\\d{4}"), line);
            }
        }
        assertTrue(Files.readString(out.resolve("eval/b/results.csv")).contains("MegaFace-Mask@20 rank-1"));
        assertEquals(36, Files.readAllLines(out.resolve("data/merged_list.txt")).size(), "faces and their masked copies");
        assertEquals("true", Safetensors.metadata(Files.list(out.resolve("upper")).filter(p -> p.toString().endsWith(".safetensors"))
                .findFirst().orElseThrow()).get("crop_eye"));

        Path crops = out.resolve("data/megaface/face_crop");
        String probe = Files.readAllLines(crops.resolve("facescrub_landmarks.txt")).get(0).split(" ")[0];
        java.awt.image.BufferedImage plain = javax.imageio.ImageIO.read(crops.resolve("facescrub_crop").resolve(probe).toFile());
        java.awt.image.BufferedImage masked = javax.imageio.ImageIO.read(crops.resolve("masked_facescrub_crop").resolve(probe).toFile());
        double mouth = AddMaskInContainerTest.change(plain, masked, 40, 68, 72, 84);
        double forehead = AddMaskInContainerTest.change(plain, masked, 40, 20, 72, 36);
        assertTrue(mouth > 15 && forehead < 2, probe + ": mouth changed by " + mouth + ", forehead by " + forehead);
    }

    @Test
    void originalPlusMaskedIsOneMergedListToTrainOn() throws Exception {
        // a copy under another root stands in for facex addmask's: the same identity folders, other files
        Path masked = home.resolve("masked");
        try (Stream<Path> files = Files.walk(data.trainRoot())) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path to = masked.resolve(data.trainRoot().relativize(p));
                Files.createDirectories(to.getParent());
                Files.copy(p, to);
            }
        }
        Path maskedList = home.resolve("masked_list.txt");
        ContainerTest.Result r = run("trainlist " + masked + " " + maskedList);
        assertEquals(0, r.status(), r.err() + r.out());
        Path merged = home.resolve("merged_list.txt");
        r = run("trainlist --merge " + data.trainRoot() + " " + data.trainList() + " " + masked + " " + maskedList + " " + merged);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("48 images of 6 identities from 2 lists -> " + merged + " (train with --data_root " + home + ")"),
                r.out());
        r = run(train(home, merged, home.resolve("merged")));
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("on 48 images of 6 identities"), r.out());

        // a masked copy that lost an identity labels the rest differently: refused
        Path lost = home.resolve("lost");
        Files.createDirectories(lost);
        try (Stream<Path> ids = Files.list(masked)) {
            for (Path id : ids.sorted().skip(1).toList()) {
                Files.move(id, lost.resolve(id.getFileName()));
            }
        }
        Path lostList = home.resolve("lost_list.txt");
        assertEquals(0, run("trainlist " + lost + " " + lostList).status());
        r = run("trainlist --merge " + data.trainRoot() + " " + data.trainList() + " " + lost + " " + lostList + " "
                + home.resolve("bad.txt"));
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("the lists do not label their identities alike") && r.err().contains(lostList + ":1: identity folder"),
                r.err());
    }
}
