package io.facex.tools.synthetic;

import io.facex.data.Seeds;
import io.facex.data.TrainList;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Generates a synthetic face data set on disk, deterministically for a seed:
 *
 * <pre>
 * out/train/00000/0001.jpg ...      training identities, one folder each
 * out/train_list.txt                FaceX-Zoo training list, paths relative to out/train, labels 0..N-1
 * out/test/Synth_00200/Synth_00200_0001.jpg ...   held-out identities, LFW naming
 * out/pairs.txt                     LFW-format pairs over the held-out identities
 * out/img_list.txt                  every test image, relative to out/test
 * out/synthetic.properties          the parameters, to regenerate the set
 * </pre>
 *
 * Each identity draws its face geometry and colours once; each image draws pose, expression,
 * background, lighting, blur, noise and occlusion, so telling people apart takes invariance rather than
 * colour matching (see {@link PixelBaseline}). The folds of {@code pairs.txt} use disjoint identities
 * when there are at least two held-out identities per fold, as LFW's do.
 */
public final class SyntheticFaces {

    /** What was written, and how long it took. */
    /**
     * @param trainLandmarks every training image's five landmarks, paths relative to {@code trainRoot}
     * @param testLandmarks  every held-out image's, relative to {@code testRoot} (see {@link #landmarkLine})
     */
    public record Result(Path out, Path trainRoot, Path trainList, Path testRoot, Path pairs, Path imageList,
            int trainImages, int testImages, int pairCount, Duration elapsed, Path trainLandmarks, Path testLandmarks) {
    }

    public static final String TRAIN_LANDMARKS = "train_landmarks.txt";
    public static final String TEST_LANDMARKS = "test_landmarks.txt";

    private final Builder b;

    private SyntheticFaces(Builder b) {
        this.b = b;
    }

    public static Builder builder(Path out) {
        return new Builder(out);
    }

    /** The name of held-out identity number {@code global} (numbered after the training identities). */
    public static String testName(int global) {
        return String.format(Locale.ROOT, "Synth_%05d", global);
    }

    /** Renders one image in memory: identity {@code identity}, image {@code image}, for a seed. */
    public static BufferedImage render(long seed, int identity, int image, double nuisance) {
        return renderFace(seed, identity, image, nuisance).image();
    }

    /** As {@link #render}, with the face's five landmarks. */
    public static Face renderFace(long seed, int identity, int image, double nuisance) {
        FaceIdentity id = FaceIdentity.random(Seeds.random(seed, 1, identity));
        return FaceRenderer.renderFace(id, Seeds.random(seed, 2, identity, image), nuisance);
    }

    /**
     * One drawn image and where its five landmarks are: left eye, right eye, nose tip, left and right mouth
     * corner, as x, y pairs in pixels (RetinaFace's order).
     */
    public record Face(BufferedImage image, float[] landmarks) {
    }

    /**
     * A landmark file line, FaceX-Zoo's face-info form without its middle field: the image path, then the
     * landmarks as x1,y1,x2,y2,... ({@code facex addmask --landmarks} reads it).
     */
    public static String landmarkLine(String path, float[] landmarks) {
        StringBuilder s = new StringBuilder(path).append(' ');
        for (int i = 0; i < landmarks.length; i++) {
            s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", landmarks[i]));
        }
        return s.toString();
    }

    private Result run() throws IOException {
        long start = System.nanoTime();
        Path out = b.out;
        Path trainRoot = out.resolve("train");
        Path testRoot = out.resolve("test");
        prepare(out, trainRoot, testRoot);

        List<TrainList.Entry> entries = new ArrayList<>();
        for (int i = 0; i < b.identities; i++) {
            for (int k = 1; k <= b.imagesPerIdentity; k++) {
                entries.add(new TrainList.Entry(String.format(Locale.ROOT, "%05d/%04d.%s", i, k, b.format), i, 0));
            }
        }
        List<String> testImages = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int j = 0; j < b.heldOut; j++) {
            String name = testName(b.identities + j);
            names.add(name);
            for (int k = 1; k <= b.imagesPerIdentity; k++) {
                testImages.add(LfwPairs.imagePath(name, k, b.format));
            }
        }

        renderAll(trainRoot, testRoot);
        Path trainLandmarks = out.resolve(TRAIN_LANDMARKS);
        Path testLandmarks = out.resolve(TEST_LANDMARKS);
        List<String> trainLines = new ArrayList<>();
        List<String> testLines = new ArrayList<>();
        for (int i = 0; i < b.identities + b.heldOut; i++) {
            (i < b.identities ? trainLines : testLines).addAll(landmarkLines.get(i));
        }
        Files.write(trainLandmarks, trainLines, StandardCharsets.UTF_8);
        Files.write(testLandmarks, testLines, StandardCharsets.UTF_8);

        Path listFile = out.resolve("train_list.txt");
        if (b.identities > 0) {
            TrainList.of(trainRoot, entries).write(listFile);
        }
        Path imgList = out.resolve("img_list.txt");
        Files.write(imgList, testImages, StandardCharsets.UTF_8);
        Path pairsFile = out.resolve("pairs.txt");
        LfwPairs pairs = null;
        if (b.heldOut > 0 && b.folds > 0 && b.pairsPerFold > 0) {
            pairs = pairs(names);
            pairs.write(pairsFile);
        }
        writeProperties(out.resolve("synthetic.properties"));
        return new Result(out, trainRoot, b.identities > 0 ? listFile : null, testRoot, pairs == null ? null : pairsFile,
                imgList, entries.size(), testImages.size(), pairs == null ? 0 : pairs.pairs().size(),
                Duration.ofNanos(System.nanoTime() - start), trainLandmarks, testLandmarks);
    }

    private void prepare(Path out, Path trainRoot, Path testRoot) throws IOException {
        for (Path p : List.of(trainRoot, testRoot, out.resolve("train_list.txt"), out.resolve("pairs.txt"),
                out.resolve("img_list.txt"), out.resolve("synthetic.properties"), out.resolve(TRAIN_LANDMARKS),
                out.resolve(TEST_LANDMARKS))) {
            if (Files.exists(p)) {
                if (!b.overwrite) {
                    throw new IOException(p + " already exists; choose an empty output directory or overwrite");
                }
                // stale files from a bigger earlier set would otherwise end up in lists built from folders
                deleteTree(p);
            }
        }
        Files.createDirectories(out);
    }

    /** One task per identity; every image has its own generator, so thread count never changes a pixel. */
    private void renderAll(Path trainRoot, Path testRoot) throws IOException {
        int total = b.identities + b.heldOut;
        AtomicInteger nextThread = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(b.threads, total)), r -> {
            Thread t = new Thread(r, "facex-synthetic-" + nextThread.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                int identity = i;
                tasks.add(pool.submit(() -> {
                    writeIdentity(identity, trainRoot, testRoot);
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get();
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw c instanceof RuntimeException rt ? rt : new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating " + b.out, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each image's landmark line, by identity, written once every identity is drawn. */
    private final Map<Integer, List<String>> landmarkLines = new java.util.concurrent.ConcurrentHashMap<>();

    private void writeIdentity(int identity, Path trainRoot, Path testRoot) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean train = identity < b.identities;
        String name = train ? String.format(Locale.ROOT, "%05d", identity) : testName(identity);
        Path dir = (train ? trainRoot : testRoot).resolve(name);
        Files.createDirectories(dir);
        FaceIdentity id = FaceIdentity.random(Seeds.random(b.seed, 1, identity));
        ImageWriter writer = b.format.equals("jpg") ? ImageIO.getImageWritersByFormatName("jpeg").next() : null;
        try {
            for (int k = 1; k <= b.imagesPerIdentity; k++) {
                Face face = FaceRenderer.renderFace(id, Seeds.random(b.seed, 2, identity, k), b.nuisance);
                String file = train ? String.format(Locale.ROOT, "%04d.%s", k, b.format)
                        : LfwPairs.imagePath(name, k, b.format).substring(name.length() + 1);
                Files.write(dir.resolve(file), encode(face.image(), writer));
                lines.add(landmarkLine(name + "/" + file, face.landmarks()));
            }
            landmarkLines.put(identity, lines);
        } finally {
            if (writer != null) {
                writer.dispose();
            }
        }
    }

    private byte[] encode(BufferedImage img, ImageWriter jpeg) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        if (jpeg == null) {
            ImageIO.write(img, "png", bytes);
            return bytes.toByteArray();
        }
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam p = jpeg.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(b.jpegQuality);
            jpeg.setOutput(out);
            jpeg.write(null, new IIOImage(img, null, null), p);
        }
        return bytes.toByteArray();
    }

    /**
     * LFW-style folds: with at least two held-out identities per fold, identities are dealt to folds so
     * that no person appears in two folds; otherwise every fold draws from all of them. Pairs within a
     * fold are distinct as long as there are enough combinations.
     */
    private LfwPairs pairs(List<String> names) {
        if (b.imagesPerIdentity < 2 || names.size() < 2) {
            throw new IllegalArgumentException("pairs need at least 2 held-out identities with 2 images each, got "
                    + names.size() + " x " + b.imagesPerIdentity);
        }
        SplittableRandom r = Seeds.random(b.seed, 3);
        List<String> shuffled = new ArrayList<>(names);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            shuffled.set(i, shuffled.set(j, shuffled.get(i)));
        }
        boolean disjoint = names.size() >= 2 * b.folds;
        List<LfwPairs.Pair> all = new ArrayList<>();
        for (int f = 0; f < b.folds; f++) {
            List<String> pool = new ArrayList<>();
            for (int i = 0; i < shuffled.size(); i++) {
                if (!disjoint || i % b.folds == f) {
                    pool.add(shuffled.get(i));
                }
            }
            Set<LfwPairs.Pair> seen = new HashSet<>();
            List<LfwPairs.Pair> same = new ArrayList<>();
            List<LfwPairs.Pair> diff = new ArrayList<>();
            int k = b.imagesPerIdentity;
            for (int attempts = 0; same.size() < b.pairsPerFold; attempts++) {
                String n = pool.get(r.nextInt(pool.size()));
                int i1 = 1 + r.nextInt(k);
                int i2 = 1 + r.nextInt(k - 1);
                if (i2 >= i1) {
                    i2++;
                }
                LfwPairs.Pair p = new LfwPairs.Pair(n, Math.min(i1, i2), n, Math.max(i1, i2));
                if (seen.add(p) || attempts > 50 * b.pairsPerFold) {
                    same.add(p);
                }
            }
            for (int attempts = 0; diff.size() < b.pairsPerFold; attempts++) {
                int a = r.nextInt(pool.size());
                int c = r.nextInt(pool.size() - 1);
                if (c >= a) {
                    c++;
                }
                LfwPairs.Pair p = new LfwPairs.Pair(pool.get(a), 1 + r.nextInt(k), pool.get(c), 1 + r.nextInt(k));
                if (seen.add(p) || attempts > 50 * b.pairsPerFold) {
                    diff.add(p);
                }
            }
            all.addAll(same);
            all.addAll(diff);
        }
        return new LfwPairs(b.folds, b.pairsPerFold, all);
    }

    private void writeProperties(Path file) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("seed", b.seed);
        p.put("identities", b.identities);
        p.put("imagesPerIdentity", b.imagesPerIdentity);
        p.put("heldOutIdentities", b.heldOut);
        p.put("folds", b.folds);
        p.put("pairsPerFold", b.pairsPerFold);
        p.put("nuisance", b.nuisance);
        p.put("format", b.format);
        p.put("jpegQuality", b.jpegQuality);
        StringBuilder s = new StringBuilder("# io.facex.tools.synthetic.SyntheticFaces: same values, same files\n");
        p.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, s, StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * {@code SyntheticFaces --out DIR [--identities 200] [--images 20] [--held-out 100] [--folds 10]
     * [--pairs 100] [--seed 1] [--threads N] [--nuisance 1.0] [--format jpg|png] [--overwrite]
     * [--baseline]}. {@code --baseline} also prints the raw-pixel verification accuracy.
     */
    public static void main(String[] args) {
        try {
            Builder b = null;
            boolean baseline = false;
            Map<String, String> opts = new LinkedHashMap<>();
            for (Iterator<String> it = List.of(args).iterator(); it.hasNext(); ) {
                String a = it.next();
                switch (a) {
                    case "--overwrite" -> opts.put(a, "true");
                    case "--baseline" -> baseline = true;
                    default -> {
                        if (!a.startsWith("--") || !it.hasNext()) {
                            throw new IllegalArgumentException("unexpected argument '" + a + "'");
                        }
                        opts.put(a, it.next());
                    }
                }
            }
            String out = opts.remove("--out");
            if (out == null) {
                throw new IllegalArgumentException("--out DIR is required");
            }
            b = builder(Path.of(out));
            for (Map.Entry<String, String> e : opts.entrySet()) {
                String v = e.getValue();
                switch (e.getKey()) {
                    case "--identities" -> b.identities(Integer.parseInt(v));
                    case "--images" -> b.imagesPerIdentity(Integer.parseInt(v));
                    case "--held-out" -> b.heldOutIdentities(Integer.parseInt(v));
                    case "--folds" -> b.folds(Integer.parseInt(v));
                    case "--pairs" -> b.pairsPerFold(Integer.parseInt(v));
                    case "--seed" -> b.seed(Long.parseLong(v));
                    case "--threads" -> b.threads(Integer.parseInt(v));
                    case "--nuisance" -> b.nuisance(Double.parseDouble(v));
                    case "--format" -> b.format(v);
                    case "--overwrite" -> b.overwrite(true);
                    default -> throw new IllegalArgumentException("unknown option '" + e.getKey() + "'");
                }
            }
            Result r = b.generate();
            System.out.printf(Locale.ROOT, "%s: %d training images, %d test images, %d pairs in %.2f s%n", r.out(),
                    r.trainImages(), r.testImages(), r.pairCount(), r.elapsed().toMillis() / 1000.0);
            if (baseline && r.pairs() != null) {
                PixelBaseline.Result acc = PixelBaseline.evaluate(r.testRoot(), LfwPairs.read(r.pairs()).pairs(),
                        b.format);
                System.out.printf(Locale.ROOT, "raw pixels, one threshold over all pairs (not LFW's 10 folds; threshold %.4f): %.4f over %d pairs%n",
                        acc.threshold(), acc.accuracy(), acc.pairs());
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("facex: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Parameters; defaults make a small set (200 x 20 training, 100 held out, 10 folds x 100 pairs). */
    public static final class Builder {
        private final Path out;
        private int identities = 200;
        private int imagesPerIdentity = 20;
        private int heldOut = 100;
        private int folds = 10;
        private int pairsPerFold = 100;
        private long seed = 1;
        private int threads = Runtime.getRuntime().availableProcessors();
        private double nuisance = 1.0;
        private String format = "jpg";
        private float jpegQuality = 0.92f;
        private boolean overwrite;

        private Builder(Path out) {
            if (out == null) {
                throw new IllegalArgumentException("no output directory");
            }
            this.out = out;
        }

        /** Training identities (labels 0..n-1). */
        public Builder identities(int n) {
            this.identities = atLeast("identities", n, 0);
            return this;
        }

        /** Images per identity, training and held out alike. */
        public Builder imagesPerIdentity(int n) {
            this.imagesPerIdentity = atLeast("imagesPerIdentity", n, 1);
            return this;
        }

        /** Identities for the verification set only, never in the training list. */
        public Builder heldOutIdentities(int n) {
            this.heldOut = atLeast("heldOutIdentities", n, 0);
            return this;
        }

        public Builder folds(int n) {
            this.folds = atLeast("folds", n, 0);
            return this;
        }

        /** Same-person pairs per fold, and as many different-person pairs (LFW: 300). */
        public Builder pairsPerFold(int n) {
            this.pairsPerFold = atLeast("pairsPerFold", n, 0);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder threads(int n) {
            this.threads = atLeast("threads", n, 1);
            return this;
        }

        /**
         * Strength of the per-image variation (pose, lighting, background, blur, noise, occlusion): 1 is the
         * calibrated default, 0 gives frontal evenly lit faces on grey (identity by colour alone).
         */
        public Builder nuisance(double strength) {
            if (!(strength >= 0 && strength <= 2)) {
                throw new IllegalArgumentException("nuisance must be in [0, 2], got " + strength);
            }
            this.nuisance = strength;
            return this;
        }

        /** {@code jpg} (default, like LFW) or {@code png}. */
        public Builder format(String format) {
            String f = format.toLowerCase(Locale.ROOT);
            if (!f.equals("jpg") && !f.equals("png")) {
                throw new IllegalArgumentException("format must be jpg or png, got '" + format + "'");
            }
            this.format = f;
            return this;
        }

        public Builder jpegQuality(float quality) {
            if (!(quality > 0 && quality <= 1)) {
                throw new IllegalArgumentException("jpegQuality must be in (0, 1], got " + quality);
            }
            this.jpegQuality = quality;
            return this;
        }

        /** Replace existing {@code train/} and {@code test/} folders instead of refusing. */
        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        public Result generate() throws IOException {
            if (identities + heldOut == 0) {
                throw new IllegalArgumentException("nothing to generate: 0 identities and 0 held out");
            }
            return new SyntheticFaces(this).run();
        }

        private static int atLeast(String what, int v, int min) {
            if (v < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ", got " + v);
            }
            return v;
        }
    }
}
