package io.facex.assembly;

import io.facex.launch.FacexContainer;
import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.tools.synthetic.SyntheticFaces;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input of every kind, fed as a user would to {@code train}, {@code train --skip_bad_images},
 * {@code embed}, {@code eval} and {@code info} in the real container. The corpus is made here, from the
 * synthetic faces. Every run must end with a documented status; a refusal must name the file (and its
 * list line or key), once, in words rather than Java class names; what is skipped is named; what is
 * merely unusual (gray, RGBA, 16-bit, a PNG called .jpg) is accepted.
 */
class BadInputTest {

    static Path home;
    static FacexContainer container;
    static SyntheticFaces.Result faces;
    static SyntheticBenchmarks.Result bench;
    static Path checkpoint;
    static final Path FACEXZOO_PT = Path.of("../platform-weights/src/test/resources/fixtures/facexzoo_mobilefacenet_mv_epoch0.pt")
            .toAbsolutePath();

    /** An exception's class name as Java prints it: the user should never have to read one. */
    static final Pattern CLASS_NAME = Pattern.compile("\\b[A-Z][A-Za-z0-9]*(Exception|Error)\\b|\\bat [a-z]+\\.[a-z]+\\.");

    /** Images that must be refused (list line 5 of a training list of 4 good ones before it). */
    static final Map<String, byte[]> BAD_IMAGES = new LinkedHashMap<>();
    /** What each refusal says, beside the file's name. */
    static final Map<String, String> BAD_IMAGE_PROBLEMS = new LinkedHashMap<>();
    /** Images that are unusual but fine. */
    static final Map<String, byte[]> ODD_IMAGES = new LinkedHashMap<>();

    @BeforeAll
    static void corpus() throws Exception {
        home = Dist.newHome();
        container = FacexContainer.start(home, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true));
        faces = SyntheticFaces.builder(home.resolve("syn")).identities(2).imagesPerIdentity(3).heldOutIdentities(6)
                .imagesPerIdentity(3).folds(10).pairsPerFold(3).seed(9).overwrite(true).generate();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            names.add(SyntheticFaces.testName(2 + i));
        }
        bench = SyntheticBenchmarks.write(faces, names, 3, 3, 4, home.resolve("bench"));

        byte[] jpeg = Files.readAllBytes(faces.trainRoot().resolve(Files.readAllLines(faces.trainList()).get(0).split(" ")[0]));
        BufferedImage face = ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        BAD_IMAGES.put("truncated.jpg", Arrays.copyOf(jpeg, jpeg.length * 3 / 5));
        BAD_IMAGE_PROBLEMS.put("truncated.jpg", "truncated JPEG");
        BAD_IMAGES.put("empty.jpg", new byte[0]);
        BAD_IMAGE_PROBLEMS.put("empty.jpg", "empty file");
        BAD_IMAGES.put("text.jpg", "not an image at all\n".getBytes(StandardCharsets.UTF_8));
        BAD_IMAGE_PROBLEMS.put("text.jpg", "cannot decode image");
        BAD_IMAGES.put("bomb.jpg", withFrameSize(jpeg, 30000, 30000));
        BAD_IMAGE_PROBLEMS.put("bomb.jpg", "more than the limit of 50,000,000; refused before decoding (raise it with --max_image_pixels");
        BAD_IMAGES.put("tiny.png", png(new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR)));
        BAD_IMAGE_PROBLEMS.put("tiny.png", "image is 1x1 pixels, expected 112x112");
        byte[] damaged = png(face);
        damaged[damaged.length / 2] ^= 0x20;
        BAD_IMAGES.put("damaged.png", damaged);
        BAD_IMAGE_PROBLEMS.put("damaged.png", "fails its checksum");
        BAD_IMAGES.put("missing.jpg", null);
        BAD_IMAGE_PROBLEMS.put("missing.jpg", "no such");

        ODD_IMAGES.put("gray.png", png(convert(face, BufferedImage.TYPE_BYTE_GRAY)));
        ODD_IMAGES.put("rgba.png", png(convert(face, BufferedImage.TYPE_INT_ARGB)));
        ODD_IMAGES.put("gray16.png", png(convert(face, BufferedImage.TYPE_USHORT_GRAY)));
        ODD_IMAGES.put("png-named.jpg", png(face));

        Path corpus = Files.createDirectories(home.resolve("corpus"));
        for (Map<String, byte[]> m : List.of(BAD_IMAGES, ODD_IMAGES)) {
            for (Map.Entry<String, byte[]> e : m.entrySet()) {
                if (e.getValue() != null) {
                    Files.write(corpus.resolve(e.getKey()), e.getValue());
                }
            }
        }
        ContainerTest.Result r = run("train --data_root " + faces.trainRoot() + " --train_file " + faces.trainList()
                + " --out_dir " + home.resolve("good") + " --epoches 1 --batch_size 3 --workers 1");
        assertEquals(0, r.status(), r.err() + r.out());
        checkpoint = home.resolve("good/Epoch_0.safetensors");
    }

    @AfterAll
    static void shutdown() throws Exception {
        container.close();
    }

    static ContainerTest.Result run(String line) {
        return TrainingInContainerTest.run(container, line);
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    private static BufferedImage convert(BufferedImage src, int type) {
        BufferedImage dst = new BufferedImage(src.getWidth(), src.getHeight(), type);
        dst.getGraphics().drawImage(src, 0, 0, null);
        return dst;
    }

    /** The JPEG with its frame header claiming another size: a small file that would need gigabytes. */
    private static byte[] withFrameSize(byte[] jpeg, int width, int height) {
        byte[] b = jpeg.clone();
        for (int i = 2; ; ) {
            int marker = b[i + 1] & 0xFF;
            if (marker >= 0xC0 && marker <= 0xC2) {
                b[i + 5] = (byte) (height >> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >> 8);
                b[i + 8] = (byte) width;
                return b;
            }
            i += 2 + (((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF));
        }
    }

    /** A training list: the first 4 good images, then {@code image} (absolute) on line 5. */
    private static Path trainList(String tag, Path image) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(faces.trainList()).subList(0, 4));
        lines.add(image + " 1");
        return Files.write(home.resolve("list-" + tag + ".txt"), lines);
    }

    private static String train(Path list, Path out) {
        return "train --data_root " + faces.trainRoot() + " --train_file " + list + " --out_dir " + out
                + " --epoches 1 --batch_size 2 --workers 1 --print_freq 1";
    }

    /** An LFW-only data config whose face folder is a copy of the test faces with one image replaced. */
    private static Path lfwWith(String tag, byte[] replacement) throws IOException {
        Path root = home.resolve("lfw-" + tag);
        copyTree(faces.testRoot(), root);
        String first = Files.readAllLines(bench.lfw()).get(1).split("\t")[0];
        Path victim = root.resolve(first).resolve(first + "_0001.jpg");
        if (replacement == null) {
            Files.delete(victim);
        } else {
            Files.write(victim, replacement);
        }
        return Files.writeString(home.resolve("lfw-" + tag + ".yaml"), "LFW:\n  pairs_file_path: " + bench.lfw()
                + "\n  cropped_face_folder: " + root + "\n");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * The checks every run shares: the documented status, no class name or stack trace anywhere, the
     * first line of an error printed once, and every expected fragment present.
     */
    private static ContainerTest.Result expect(String line, int status, String... fragments) {
        ContainerTest.Result r = run(line);
        String all = r.out() + r.err();
        assertEquals(status, r.status(), line + "\n" + all);
        assertFalse(CLASS_NAME.matcher(all).find(), "a Java class name or stack frame:\n" + all);
        if (status != 0) {
            String first = r.err().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            assertTrue(first.startsWith("facex: "), "an error line: " + r.err());
            String message = first.substring("facex: ".length());
            assertEquals(1, count(all, message), "printed once: " + all);
        }
        for (String f : fragments) {
            assertTrue(all.contains(f), "'" + f + "' in:\n" + all);
        }
        return r;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @TestFactory
    Stream<DynamicTest> badImages() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : BAD_IMAGES.keySet()) {
            Path image = home.resolve("corpus").resolve(name);
            String problem = BAD_IMAGE_PROBLEMS.get(name);
            tests.add(DynamicTest.dynamicTest("train refuses " + name, () -> {
                Path list = trainList("t-" + name, image);
                expect(train(list, home.resolve("t-" + name)), 1, list + ":5", image.toString(), problem);
            }));
            tests.add(DynamicTest.dynamicTest("train --skip_bad_images names " + name, () -> {
                Path list = trainList("s-" + name, image);
                Path out = home.resolve("s-" + name);
                expect(train(list, out) + " --skip_bad_images", 0,
                        "1 unreadable images were left out (--skip_bad_images), each named with its list line in "
                                + out.resolve("skipped.txt"));
                List<String> skipped = Files.readAllLines(out.resolve("skipped.txt"));
                assertEquals(1, skipped.size(), skipped.toString());
                assertTrue(skipped.get(0).startsWith(list + ":5: image '" + image + "'") && skipped.get(0).contains(problem),
                        skipped.get(0));
                assertTrue(Files.readString(out.resolve("train.log")).contains("skipped " + skipped.get(0)));
            }));
            tests.add(DynamicTest.dynamicTest("embed refuses " + name, () -> {
                Path list = Files.write(home.resolve("e-" + name + ".txt"), List.of(
                        faces.trainRoot().resolve(Files.readAllLines(faces.trainList()).get(0).split(" ")[0]).toString(),
                        image.toString()));
                expect("embed --weights " + checkpoint + " --input " + list + " --output " + home.resolve("e.npy"), 1,
                        list + ":2", image.toString(), problem);
            }));
            tests.add(DynamicTest.dynamicTest("eval skips and names " + name, () -> {
                Path conf = lfwWith(name, BAD_IMAGES.get(name));
                Path out = home.resolve("v-" + name);
                ContainerTest.Result r = expect("eval -d " + conf + " -m " + checkpoint + " -o " + out, 0,
                        "LFW: 1 image(s) could not be read", "their pairs are skipped and counted");
                Path unreadable = out.resolve("Epoch_0").resolve("LFW").resolve("unreadable_images.txt");
                assertTrue(r.out().contains("all are named in " + unreadable), r.out());
                String named = Files.readString(unreadable);
                assertTrue(named.contains(problem), named);
            }));
        }
        for (String name : ODD_IMAGES.keySet()) {
            Path image = home.resolve("corpus").resolve(name);
            tests.add(DynamicTest.dynamicTest("train accepts " + name, () -> {
                Path list = trainList("o-" + name, image);
                Path out = home.resolve("o-" + name);
                expect(train(list, out), 0, "trained 1 epochs");
                assertFalse(Files.exists(out.resolve("skipped.txt")));
            }));
            tests.add(DynamicTest.dynamicTest("embed accepts " + name, () -> {
                Path list = Files.write(home.resolve("eo-" + name + ".txt"), List.of(image.toString()));
                expect("embed --weights " + checkpoint + " --input " + list + " --output " + home.resolve("eo.npy"), 0,
                        "1 features of 512 values");
            }));
        }
        return tests.stream();
    }

    /** Checkpoints that must be refused: by embed, eval and train (as starting weights and to resume from). */
    @TestFactory
    Stream<DynamicTest> badCheckpoints() throws IOException {
        Path dir = Files.createDirectories(home.resolve("checkpoints"));
        byte[] ours = Files.readAllBytes(checkpoint);
        byte[] pt = Files.readAllBytes(FACEXZOO_PT);
        Map<String, String> kinds = new LinkedHashMap<>();
        Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(ours, ours.length / 2));
        kinds.put("truncated.safetensors", "");
        Files.write(dir.resolve("empty.safetensors"), new byte[0]);
        kinds.put("empty.safetensors", "");
        Files.write(dir.resolve("truncated.pt"), Arrays.copyOf(pt, pt.length / 2));
        kinds.put("truncated.pt", "");
        Files.write(dir.resolve("empty.pt"), new byte[0]);
        kinds.put("empty.pt", "");
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        Files.write(dir.resolve("random.pt"), random);
        kinds.put("random.pt", "");
        Files.write(dir.resolve("no-pickle.pt"), zip(Map.of("archive/version", "3\n".getBytes(StandardCharsets.UTF_8))));
        kinds.put("no-pickle.pt", "");
        // pickle protocol 2: builtins.eval("__import__('os').system('touch PWNED')") on load
        Path pwned = home.resolve("PWNED");
        byte[] evil = ("\u0080\u0002cbuiltins\neval\nq\u0000X" + le32(("__import__('os').system('touch " + pwned + "')").length())
                + "__import__('os').system('touch " + pwned + "')\u0085q\u0001Rq\u0002.").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("hostile.pt"), zip(Map.of("archive/data.pkl", evil, "archive/version", "3\n".getBytes())));
        kinds.put("hostile.pt", "refusing to load hostile.pt: its pickle calls builtins.eval");

        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, String> k : kinds.entrySet()) {
            Path file = dir.resolve(k.getKey());
            String b = k.getKey().endsWith(".pt") ? " -b MobileFaceNet" : "";
            tests.add(DynamicTest.dynamicTest("embed refuses " + k.getKey(), () ->
                    expect("embed" + b + " --weights " + file + " --input " + faces.imageList() + " --data_root "
                            + faces.testRoot() + " --output " + home.resolve("c.npy"), 1, file.getFileName().toString(), k.getValue())));
            tests.add(DynamicTest.dynamicTest("eval refuses " + k.getKey(), () ->
                    expect("eval -d " + bench.dataConf() + b + " -m " + file + " -o " + home.resolve("ce"), 1,
                            file.getFileName().toString(), k.getValue())));
            tests.add(DynamicTest.dynamicTest("train refuses to start from " + k.getKey(), () ->
                    expect(train(faces.trainList(), home.resolve("ct-" + k.getKey())) + " --pretrain_model " + file, 1,
                            file.getFileName().toString(), k.getValue())));
            tests.add(DynamicTest.dynamicTest("train refuses to resume from " + k.getKey(), () ->
                    expect(train(faces.trainList(), home.resolve("cr-" + k.getKey())) + " --resume --pretrain_model " + file, 1,
                            file.getFileName().toString())));
        }
        tests.add(DynamicTest.dynamicTest("the hostile pickle never ran", () -> assertFalse(Files.exists(pwned))));
        return tests.stream();
    }

    private static String le32(int n) {
        return new String(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)}, StandardCharsets.ISO_8859_1);
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** Broken lists, pair files and configurations: file and line (or key), every problem at once. */
    @TestFactory
    Stream<DynamicTest> brokenListsAndConfigs() {
        return Stream.of(
                DynamicTest.dynamicTest("train: a label that is not a number", () -> {
                    Path list = Files.write(home.resolve("label.txt"), List.of(
                            Files.readAllLines(faces.trainList()).get(0), "00000/0002.jpg zero"));
                    expect(train(list, home.resolve("l1")), 1, list + ":2", "zero");
                }),
                DynamicTest.dynamicTest("train: every missing image named before training", () -> {
                    List<String> lines = new ArrayList<>(Files.readAllLines(faces.trainList()));
                    lines.set(1, "00000/gone1.jpg 0");
                    lines.set(3, "00001/gone2.jpg 1");
                    Path list = Files.write(home.resolve("gone.txt"), lines);
                    ContainerTest.Result r = expect(train(list, home.resolve("l2")), 1, list + ":2: image '00000/gone1.jpg'",
                            list + ":4: image '00001/gone2.jpg'", "2 of 6 images of " + list + " cannot be read");
                    assertFalse(r.out().contains("training MobileFaceNet"), "nothing trained: " + r.out());
                }),
                DynamicTest.dynamicTest("train: an empty list", () -> {
                    Path list = Files.writeString(home.resolve("empty-list.txt"), "");
                    expect(train(list, home.resolve("l3")), 1, list.toString());
                }),
                DynamicTest.dynamicTest("train: every error of a config file at once", () -> {
                    Path conf = Files.writeString(home.resolve("three.yaml"), "data_root: " + faces.trainRoot()
                            + "\ntrain_file: " + faces.trainList() + "\nlearning_rate: 0.1\nbatch_size: many\n"
                            + "backbone_type: MobileFaceNett\nhead:\n  margn: 0.3\n");
                    expect("train -c " + conf, 1, "4 problems in the configuration:",
                            conf + ":3: learning_rate: unknown key", conf + ":4: batch_size: expected an integer, got 'many'",
                            conf + ":5: backbone_type: ", "did you mean 'MobileFaceNet'", conf + ":7: head.margn: unknown key");
                }),
                DynamicTest.dynamicTest("train: a head conf file with a wrong key", () -> {
                    Path conf = Files.writeString(home.resolve("head_conf.yaml"), "MV-Softmax:\n  feat_dim: 512\n  marign: 0.3\n");
                    expect(train(faces.trainList(), home.resolve("l4")) + " --head_conf_file " + conf, 1,
                            conf + ":3: MV-Softmax.marign: unknown key", "did you mean 'margin'");
                }),
                DynamicTest.dynamicTest("train: a conf file that is not YAML", () -> {
                    Path conf = Files.writeString(home.resolve("broken.yaml"), "data_root: [unclosed\n");
                    expect("train -c " + conf, 1, conf.toString());
                }),
                DynamicTest.dynamicTest("train: a missing conf file", () ->
                        expect("train -c " + home.resolve("nowhere.yaml"), 1, home.resolve("nowhere.yaml").toString())),
                DynamicTest.dynamicTest("train: a sample rate outside (0, 1]", () ->
                        expect(train(faces.trainList(), home.resolve("rate")) + " --sample_rate 1.5", 1,
                                "sample_rate: must be in (0, 1]")),
                DynamicTest.dynamicTest("train: sampling classes with a head that cannot", () ->
                        expect(train(faces.trainList(), home.resolve("adacos")) + " -H AdaCos --sample_rate 0.5", 1,
                                "sample_rate: AdaCos: this head cannot sample classes")),
                DynamicTest.dynamicTest("info: a config with a wrong key", () -> {
                    Path conf = Files.writeString(home.resolve("backbone_conf.yaml"), "MobileFaceNet:\n  feat_dim: 512\n  out_hh: 7\n");
                    expect("info -c " + conf + " MobileFaceNet", 1, conf + ":3: MobileFaceNet.out_hh: unknown key");
                }),
                DynamicTest.dynamicTest("info: an unknown plugin", () -> expect("info MobileFaseNet", 1, "MobileFaseNet",
                        "did you mean 'MobileFaceNet'")),
                DynamicTest.dynamicTest("eval: a malformed pairs line", () -> {
                    List<String> lines = new ArrayList<>(Files.readAllLines(bench.lfw()));
                    lines.set(3, "Synth_00001\t1");
                    Path pairs = Files.write(home.resolve("bad_pairs.txt"), lines);
                    Path conf = Files.writeString(home.resolve("bad_pairs.yaml"), "LFW:\n  pairs_file_path: " + pairs
                            + "\n  cropped_face_folder: " + faces.testRoot() + "\n");
                    expect("eval -d " + conf + " -m " + checkpoint + " -o " + home.resolve("p1"), 1, pairs + ":4");
                }),
                DynamicTest.dynamicTest("eval: a data config with a wrong key", () -> {
                    Path conf = Files.writeString(home.resolve("data_conf.yaml"), "LFW:\n  pairs_file: x\n  cropped_face_folder: y\n");
                    expect("eval -d " + conf + " -m " + checkpoint, 1, conf + ":2: LFW.pairs_file: unknown key");
                }),
                DynamicTest.dynamicTest("eval: a missing pairs file", () -> {
                    Path conf = Files.writeString(home.resolve("nopairs.yaml"), "LFW:\n  pairs_file_path: "
                            + home.resolve("nopairs.txt") + "\n  cropped_face_folder: " + faces.testRoot() + "\n");
                    expect("eval -d " + conf + " -m " + checkpoint + " -o " + home.resolve("p2"), 1,
                            home.resolve("nopairs.txt").toString());
                }),
                DynamicTest.dynamicTest("embed: an image list with no images", () -> {
                    Path list = Files.writeString(home.resolve("none.txt"), "# nothing\n");
                    expect("embed --weights " + checkpoint + " --input " + list + " --output " + home.resolve("n.npy"), 1,
                            list + ": no image paths");
                }));
    }
}
