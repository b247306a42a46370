package io.facex.sdk.retinaface;

import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.DetectedFace;
import io.facex.data.ImageOps;
import io.facex.testkit.PluginContract;
import io.facex.weights.Npz;
import io.facex.weights.Safetensors;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import io.facex.weights.Weights;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin contract, then the detector against FaceX-Zoo: the spec's golden detections on test1.jpg, and
 * boxes, scores and landmarks that FaceX-Zoo's own network and handler code produced from the same weights
 * on its four SDK test photos ({@code retinaface_reference.txt}), at 0.7 and at the mask scene's 0.4.
 * Photos are decoded with OpenCV as {@code cv2.imread} does.
 */
class RetinaFaceTest extends PluginContract<RetinaFace.Config> {

    /**
     * Boxes and landmarks in pixels, scores absolute. The port is asked for 1 px and 1e-3 and measures within
     * 6e-5 px and 0 (libtorch 2.7 here, torch 1.13 for the references): these leave room for other CPUs' kernels.
     */
    private static final float PIXELS = 0.05f;
    private static final float SCORE = 1e-4f;

    /** One detector for every test, as an application would hold it: the weights load once. */
    private static final RetinaFace DETECTOR = new RetinaFace();

    RetinaFaceTest() {
        super(new RetinaFace());
    }

    private static RetinaFace.Config config() {
        return DETECTOR.defaultConfig();
    }

    private static RetinaFace.Config withThreshold(double t) {
        RetinaFace.Config c = config();
        return new RetinaFace.Config(t, c.nmsThreshold(), c.minSizes(), c.steps(), c.variance(), c.modelPath(), c.maxSide());
    }

    private static RetinaFace.Config withMaxSide(int maxSide) {
        RetinaFace.Config c = config();
        return new RetinaFace.Config(c.confidenceThreshold(), c.nmsThreshold(), c.minSizes(), c.steps(), c.variance(),
                c.modelPath(), maxSide);
    }

    private static RetinaFace.Config withModel(Path file) {
        RetinaFace.Config c = config();
        return new RetinaFace.Config(c.confidenceThreshold(), c.nmsThreshold(), c.minSizes(), c.steps(), c.variance(),
                file.toString(), c.maxSide());
    }

    static Path resource(String name) {
        try {
            return Path.of(RetinaFaceTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static FaceImage photo(String name) throws IOException {
        try (Mat m = ImageOps.read(resource(name))) {
            return new FaceImage(m.cols(), m.rows(), 3, ImageOps.toHwc(m));
        }
    }

    @Test
    void goldenDetectionsOnTest1() throws IOException {
        List<DetectedFace> faces = DETECTOR.detect(photo("facexzoo_test1.jpg"), config());
        assertEquals(2, faces.size(), faces::toString);
        assertFace(new float[] {96.449936f, 74.030655f, 318.95624f, 381.9057f, 0.9999558f}, faces.get(0));
        assertFace(new float[] {528.3818f, 59.160778f, 691.07324f, 275.6134f, 0.9980747f}, faces.get(1));
    }

    private static void assertFace(float[] expected, DetectedFace f) {
        float[] got = {f.x1(), f.y1(), f.x2(), f.y2()};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], got[i], PIXELS, "coordinate " + i + " of " + Arrays.toString(got));
        }
        assertEquals(expected[4], f.score(), SCORE);
    }

    /**
     * Every image and threshold FaceX-Zoo's code was run at; also its prior count and candidates above the
     * threshold. The network runs once per photo; each threshold decodes its output as {@code detect} does.
     */
    @Test
    void matchesFaceXZoosDetectorOnItsTestPhotos() throws IOException {
        List<Reference> refs = Reference.read(resource("retinaface_reference.txt"));
        assertEquals(6, refs.size());
        Map<String, Decoder.Raw> outputs = new LinkedHashMap<>();
        for (Reference ref : refs) {
            FaceImage img = photo("facexzoo_" + ref.image);
            String where = ref.image + " at " + ref.threshold;
            assertEquals(ref.width, img.width(), where);
            assertEquals(ref.height, img.height(), where);
            RetinaFace.Config c = withThreshold(ref.threshold);
            NetInput input = NetInput.of(img, c.maxSide());
            Decoder.Raw raw = outputs.computeIfAbsent(ref.image, k -> DETECTOR.net(c).run(input));
            float[] priors = Decoder.priors(img.width(), img.height(), c.steps(), c.minSizes());
            assertEquals(ref.priors, raw.priors(), where + ": priors");
            assertEquals(ref.priors * 4, priors.length);
            assertEquals(ref.candidates, Decoder.candidates(raw, (float) ref.threshold).length, where + ": candidates");

            List<DetectedFace> faces = Decoder.detect(raw, priors, img.width(), img.height(), new float[] {0.1f, 0.2f},
                    (float) ref.threshold, 0.2f, 1, 1);
            assertEquals(ref.faces.size(), faces.size(), where + ": " + faces);
            for (int i = 0; i < faces.size(); i++) {
                float[] want = ref.faces.get(i);
                DetectedFace got = faces.get(i);
                assertFace(want, got);
                assertEquals(10, got.landmarks().length);
                for (int k = 0; k < 10; k++) {
                    assertEquals(want[5 + k], got.landmarks()[k], PIXELS, where + " face " + i + " landmark value " + k);
                }
            }
        }
        assertEquals(4, outputs.size());
    }

    /** The landmark order is the original's: the image-left eye first, the nose between the eyes and the mouth. */
    @Test
    void landmarksAreLeftEyeRightEyeNoseLeftMouthRightMouth() throws IOException {
        for (DetectedFace f : DETECTOR.detect(photo("facexzoo_test2.jpg"), config())) {
            float[] p = f.landmarks();
            assertTrue(p[0] < p[2] && p[6] < p[8], "eyes and mouth corners left to right: " + Arrays.toString(p));
            assertTrue(p[5] > Math.max(p[1], p[3]) && p[5] < Math.min(p[7], p[9]), "nose below the eyes, above the mouth");
            for (int k = 0; k < 10; k += 2) {
                assertTrue(p[k] > f.x1() && p[k] < f.x2() && p[k + 1] > f.y1() && p[k + 1] < f.y2(), "inside the box");
            }
        }
    }

    /** FaceX-Zoo's 426,608 parameters (spec §6), plus the batch norms' running means and variances. */
    @Test
    void hasTheOriginalsParameters() {
        long learnt = 0;
        long all = 0;
        for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : DETECTOR.net(config()).block().getParameters()) {
            long n = p.getValue().getArray().size();
            all += n;
            learnt += p.getValue().getType() == ai.djl.nn.Parameter.Type.RUNNING_MEAN
                    || p.getValue().getType() == ai.djl.nn.Parameter.Type.RUNNING_VAR ? 0 : n;
        }
        assertEquals(426_608, learnt);
        assertEquals(433_296, all);
    }

    /** Every call frees what it allocated: the network's native arrays are its parameters before and after. */
    @Test
    void callsLeaveNoNativeArraysBehind() throws IOException {
        LoadedNet net = DETECTOR.net(config());
        FaceImage img = photo("facexzoo_test2.jpg");
        DETECTOR.detect(img, config());
        int before = net.liveArrays();
        for (int i = 0; i < 3; i++) {
            DETECTOR.detect(img, config());
        }
        assertEquals(before, net.liveArrays());
    }

    @Test
    void aUniformImageHasNoFace() {
        byte[] gray = new byte[320 * 240 * 3];
        Arrays.fill(gray, (byte) 128);
        assertEquals(List.of(), DETECTOR.detect(new FaceImage(320, 240, 3, gray), config()));
        assertEquals(List.of(), DETECTOR.detect(new FaceImage(1, 1, 1, new byte[] {7}), config()), "a single pixel");
    }

    /** A one-channel image is the BGR image with three equal channels, and still shows both faces. */
    @Test
    void aGrayImageIsExpandedToBgr() throws IOException {
        byte[] gray;
        int w;
        int h;
        try (Mat m = ImageOps.read(resource("facexzoo_test1.jpg")); Mat g = ImageOps.gray(m)) {
            gray = ImageOps.toHwc(g);
            w = g.cols();
            h = g.rows();
        }
        byte[] bgr = new byte[gray.length * 3];
        for (int i = 0; i < gray.length; i++) {
            bgr[3 * i] = bgr[3 * i + 1] = bgr[3 * i + 2] = gray[i];
        }
        List<DetectedFace> one = DETECTOR.detect(new FaceImage(w, h, 1, gray), config());
        List<DetectedFace> three = DETECTOR.detect(new FaceImage(w, h, 3, bgr), config());
        assertEquals(2, one.size(), one::toString);
        assertEquals(three.size(), one.size());
        for (int i = 0; i < one.size(); i++) {
            assertEquals(three.get(i).x1(), one.get(i).x1());
            assertEquals(three.get(i).y2(), one.get(i).y2());
            assertEquals(three.get(i).score(), one.get(i).score());
            assertTrue(Arrays.equals(three.get(i).landmarks(), one.get(i).landmarks()));
        }
    }

    /**
     * test1 enlarged twice (1636×836) with max_side 818: the network sees about the original photo, and the
     * boxes come back in the large image's pixels, twice the original's within 2 % of the face size.
     */
    @Test
    void aLargeImageIsReducedAndItsBoxesScaledBack() throws IOException {
        FaceImage big;
        try (Mat m = ImageOps.read(resource("facexzoo_test1.jpg")); Mat b = ImageOps.resize(m, 2 * m.cols(), 2 * m.rows())) {
            big = new FaceImage(b.cols(), b.rows(), 3, ImageOps.toHwc(b));
        }
        NetInput input = NetInput.of(big, 818);
        assertEquals(818, input.width());
        assertEquals(418, input.height());
        assertEquals(2.0, input.scaleX(), 1e-12);

        List<DetectedFace> small = DETECTOR.detect(photo("facexzoo_test1.jpg"), config());
        List<DetectedFace> reduced = DETECTOR.detect(big, withMaxSide(818));
        assertEquals(small.size(), reduced.size(), reduced::toString);
        for (int i = 0; i < small.size(); i++) {
            DetectedFace s = small.get(i);
            DetectedFace r = reduced.get(i);
            float tol = 0.02f * 2 * (s.x2() - s.x1());
            assertEquals(2 * s.x1(), r.x1(), tol);
            assertEquals(2 * s.y1(), r.y1(), tol);
            assertEquals(2 * s.x2(), r.x2(), tol);
            assertEquals(2 * s.y2(), r.y2(), tol);
            for (int k = 0; k < 10; k++) {
                assertEquals(2 * s.landmarks()[k], r.landmarks()[k], tol, "landmark value " + k);
            }
            assertEquals(s.score(), r.score(), 0.01f);
        }
    }

    /** Area averaging: each output pixel is the mean of the source pixels it covers, fractions weighted. */
    @Test
    void reductionAveragesTheCoveredPixels() {
        // 3×1 gray → 2×1: output 0 covers pixel 0 and half of pixel 1; output 1 half of 1 and pixel 2.
        NetInput in = NetInput.of(new FaceImage(3, 1, 1, new byte[] {(byte) 10, (byte) 40, (byte) 100}), 2);
        assertEquals(2, in.width());
        assertEquals(1, in.height());
        assertEquals(1.5, in.scaleX(), 1e-12);
        float first = (10 + 0.5f * 40) / 1.5f;
        float second = (0.5f * 40 + 100) / 1.5f;
        assertEquals(first - 104, in.chw()[0], 1e-4);
        assertEquals(second - 104, in.chw()[1], 1e-4);
        assertEquals(first - 117, in.chw()[2], 1e-4);
        assertEquals(second - 123, in.chw()[5], 1e-4);
        // max_side 0 never reduces; otherwise the longer side is exactly max_side
        assertEquals(3000, NetInput.of(new FaceImage(3000, 20, 1, new byte[60000]), 0).width());
        NetInput tall = NetInput.of(new FaceImage(30, 4000, 1, new byte[120000]), 1600);
        assertEquals(1600, tall.height());
        assertEquals(12, tall.width());
    }

    @Test
    void aMissingModelFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere.npz");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> DETECTOR.detect(
                new FaceImage(8, 8, 1, new byte[64]), withModel(missing)));
        assertEquals("model_path", e.key());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aCorruptModelFileIsNamed(@TempDir Path dir) throws IOException {
        Path corrupt = Files.write(dir.resolve("corrupt.npz"), "PK\u0003\u0004 not really a zip".getBytes());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> DETECTOR.detect(
                new FaceImage(8, 8, 1, new byte[64]), withModel(corrupt)));
        assertEquals("model_path", e.key());
        assertTrue(e.getMessage().contains("corrupt.npz"), e.getMessage());
    }

    /** A state dict lacking one tensor or with one of the wrong shape is refused, naming the file and the key. */
    @Test
    void aMismatchedStateDictNamesTheFileAndTheKey(@TempDir Path dir) throws IOException {
        StateDict full = Weights.load(resource("io/facex/sdk/retinaface/" + LoadedNet.BUNDLED));
        Map<String, Tensor> lacking = new LinkedHashMap<>(full.asMap());
        lacking.remove("fpn.merge1.0.weight");
        Path missingKey = dir.resolve("lacking.npz");
        Npz.write(missingKey, new StateDict("lacking", lacking));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> DETECTOR.detect(
                new FaceImage(8, 8, 1, new byte[64]), withModel(missingKey)));
        assertTrue(e.getMessage().contains("lacking.npz") && e.getMessage().contains("fpn.merge1.0.weight"), e.getMessage());

        Map<String, Tensor> wrong = new LinkedHashMap<>(full.asMap());
        wrong.put("ssh2.conv7x7_3.0.weight", Tensor.ofFloats(new float[16 * 16], 16, 16, 1, 1));
        Path wrongShape = dir.resolve("wrong.npz");
        Npz.write(wrongShape, new StateDict("wrong", wrong));
        e = assertThrows(InvalidConfigException.class, () -> DETECTOR.detect(
                new FaceImage(8, 8, 1, new byte[64]), withModel(wrongShape)));
        assertTrue(e.getMessage().contains("wrong.npz") && e.getMessage().contains("ssh2.conv7x7_3.0.weight"), e.getMessage());
    }

    /** model_path takes another format too: the same weights as safetensors give the same detections. */
    @Test
    void modelPathReadsSafetensors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("retinaface.safetensors");
        Safetensors.write(file, Weights.load(resource("io/facex/sdk/retinaface/" + LoadedNet.BUNDLED)));
        FaceImage img = photo("facexzoo_test1.jpg");
        List<DetectedFace> bundled = DETECTOR.detect(img, config());
        List<DetectedFace> loaded = new RetinaFace().detect(img, withModel(file));
        assertEquals(bundled.size(), loaded.size());
        for (int i = 0; i < bundled.size(); i++) {
            assertEquals(bundled.get(i).x1(), loaded.get(i).x1());
            assertEquals(bundled.get(i).score(), loaded.get(i).score());
        }
    }

    /** Two threads on one detector get exactly what one thread gets. */
    @Test
    void concurrentCallsGiveTheSerialResults() throws Exception {
        List<FaceImage> imgs = List.of(photo("facexzoo_test1.jpg"), photo("facexzoo_test2.jpg"));
        List<List<DetectedFace>> serial = new ArrayList<>();
        for (FaceImage img : imgs) {
            serial.add(DETECTOR.detect(img, config()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<DetectedFace>>> runs = new ArrayList<>();
            for (int r = 0; r < 6; r++) {
                FaceImage img = imgs.get(r % 2);
                runs.add(pool.submit(() -> DETECTOR.detect(img, config())));
            }
            for (int r = 0; r < runs.size(); r++) {
                List<DetectedFace> got = runs.get(r).get();
                List<DetectedFace> want = serial.get(r % 2);
                assertEquals(want.size(), got.size());
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(want.get(i).x1(), got.get(i).x1(), 1e-4);
                    assertEquals(want.get(i).y2(), got.get(i).y2(), 1e-4);
                    assertEquals(want.get(i).score(), got.get(i).score(), 1e-6);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nmsSuppressesOverlapsAboveTheThresholdOnly() {
        float[][] boxes = {{0, 0, 9, 9}, {1, 1, 10, 10}, {20, 20, 29, 29}, {0, 5, 9, 14}};
        // box 1 overlaps box 0 by 81/119 = 0.68; box 3 overlaps it by 50/150 = 0.33
        assertTrue(Arrays.equals(new int[] {0, 2}, Decoder.nms(boxes, 0.2f)));
        assertTrue(Arrays.equals(new int[] {0, 2, 3}, Decoder.nms(boxes, 0.4f)));
        assertTrue(Arrays.equals(new int[] {0, 1, 2, 3}, Decoder.nms(boxes, 0.7f)));
    }

    @Test
    void priorsFollowPriorBox() {
        // 120×120, FaceX-Zoo's meta size: 15² + 8² + 4² positions × 2 anchors = 610 (spec §6.2)
        float[] p = Decoder.priors(120, 120, config().steps(), config().minSizes());
        assertEquals(610 * 4, p.length);
        assertEquals(4f / 120, p[0], 1e-7);
        assertEquals(16f / 120, p[2], 1e-7);
        assertEquals(32f / 120, p[6], 1e-7);
        assertEquals(12f / 120, p[8], 1e-7); // second column of level 8: (1 + .5) · 8
    }

    @Test
    void rejectsBadConfiguration() {
        RetinaFace.Config d = config();
        assertKey("confidence_threshold", new RetinaFace.Config(1.0, 0.2, d.minSizes(), d.steps(), d.variance(), "", 1600));
        assertKey("nms_threshold", new RetinaFace.Config(0.7, -0.1, d.minSizes(), d.steps(), d.variance(), "", 1600));
        assertKey("min_sizes", new RetinaFace.Config(0.7, 0.2, List.of(List.of(16), List.of(64, 128), List.of(256, 512)),
                d.steps(), d.variance(), "", 1600));
        assertKey("steps", new RetinaFace.Config(0.7, 0.2, d.minSizes(), List.of(8, 16, 64), d.variance(), "", 1600));
        assertKey("variance", new RetinaFace.Config(0.7, 0.2, d.minSizes(), d.steps(), List.of(0.1, 0.0), "", 1600));
        assertKey("max_side", new RetinaFace.Config(0.7, 0.2, d.minSizes(), d.steps(), d.variance(), "", -1));
        assertKey("model_path", new RetinaFace.Config(0.7, 0.2, d.minSizes(), d.steps(), d.variance(), "/no/such.npz", 0));
    }

    private void assertKey(String key, RetinaFace.Config c) {
        assertEquals(key, assertThrows(InvalidConfigException.class, () -> DETECTOR.validate(c)).key());
    }

    /** One image's entry of retinaface_reference.txt: its detections as 15 floats (box, score, landmarks). */
    record Reference(String image, int width, int height, double threshold, int priors, int candidates,
            List<float[]> faces) {

        static List<Reference> read(Path file) throws IOException {
            List<Reference> out = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                String[] t = line.trim().split("\\s+");
                if (t[0].equals("image")) {
                    out.add(new Reference(t[1], Integer.parseInt(t[2]), Integer.parseInt(t[3]), Double.parseDouble(t[4]),
                            Integer.parseInt(t[5]), Integer.parseInt(t[6]), new ArrayList<>()));
                } else if (t[0].equals("face")) {
                    float[] f = new float[15];
                    for (int i = 0; i < 15; i++) {
                        f[i] = Float.parseFloat(t[i + 1]);
                    }
                    out.get(out.size() - 1).faces.add(f);
                }
            }
            return out;
        }
    }
}
