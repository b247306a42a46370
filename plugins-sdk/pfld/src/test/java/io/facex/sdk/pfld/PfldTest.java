package io.facex.sdk.pfld;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.DetectedFace;
import io.facex.data.ImageOps;
import io.facex.nn.TorchNames;
import io.facex.testkit.PluginContract;
import io.facex.weights.BlockWeights;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin contract; FaceX-Zoo's parameter count and state-dict keys; and parity with FaceX-Zoo's own
 * {@code PFLDInference} and {@code FaceAlignModelHandler} (PyTorch 1.13, OpenCV 4.6) on weights it made
 * ({@code fixtures/pfld_state_dict.npz}: seeded default initialisation, every BatchNorm given the
 * statistics of its input, values rounded to float16 so the file is half the size) for a random batch and
 * for two boxes on {@code test1.jpg} ({@code fixtures/pfld_io.npz}).
 */
class PfldTest extends PluginContract<Pfld.Config> {

    private static Path weights;
    private static StateDict io;
    private static FaceImage photo;
    /** One network for the tests that only read it (initialising runs every layer once: about 2 s). */
    private static NDManager manager;
    private static Block net;

    private final Pfld pfld = new Pfld();

    PfldTest() {
        super(new Pfld());
    }

    @BeforeAll
    static void load() throws Exception {
        weights = resource("pfld_state_dict.npz");
        io = Npz.read(resource("pfld_io.npz"));
        try (Mat m = ImageOps.read(resource("facexzoo_test1.jpg"))) {
            photo = new FaceImage(m.cols(), m.rows(), m.channels(), ImageOps.toHwc(m));
        }
        manager = NDManager.newBaseManager();
        net = Pfld.network();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    private static Path resource(String name) throws Exception {
        return Path.of(Objects.requireNonNull(PfldTest.class.getResource("/fixtures/" + name), name).toURI());
    }

    @Test
    void parameterCountIsFaceXZoos() {
        long trainable = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                trainable += p.getValue().getArray().size();
            }
        }
        assertEquals(1_446_268, trainable);
    }

    /** Every parameter under FaceX-Zoo's key, and every key of FaceX-Zoo's state dict has a parameter. */
    @Test
    void keysAreFaceXZoos() throws Exception {
        Set<String> theirs = new TreeSet<>(Npz.read(weights).keys());
        theirs.removeIf(k -> k.endsWith("num_batches_tracked"));
        Set<String> ours = new TreeSet<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            assertTrue(ours.add(TorchNames.toTorch(p.getKey())), "two parameters map to " + p.getKey());
        }
        assertEquals(theirs, ours);
    }

    @Test
    void networkOutputIsFaceXZoos() throws Exception {
        Tensor input = io.require("input");
        float[] expected = io.require("output").toFloatArray();
        try (NDManager m = manager.newSubManager()) {
            BlockWeights.apply(net, Npz.read(weights), TorchNames::toTorch);
            NDArray x = m.create(input.toFloatArray(), new Shape(input.shape()));
            NDArray y = net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(2, 212), y.getShape());
            double max = maxAbsDiff(expected, y.toFloatArray());
            System.out.printf("PFLD network: max |diff| %.3g (outputs %.3f .. %.3f)%n", max, min(expected), max(expected));
            assertTrue(max < 1e-4, "max |diff| " + max);
        }
    }

    /** Crop, resize, network and back to pixels, through the plugin, for a box inside and one across the border. */
    @Test
    void landmarksAreFaceXZoos() {
        float[] boxes = io.require("boxes").toFloatArray();
        double[] expected = io.require("landmarks").toDoubleArray();
        Pfld.Config config = new Pfld.Config(weights.toString());
        for (int b = 0; b < 2; b++) {
            DetectedFace face = new DetectedFace(boxes[5 * b], boxes[5 * b + 1], boxes[5 * b + 2], boxes[5 * b + 3],
                    boxes[5 * b + 4], new float[0]);
            float[] ours = pfld.landmarks(photo, face, config);
            assertEquals(212, ours.length);
            double max = 0;
            for (int i = 0; i < 212; i++) {
                max = Math.max(max, Math.abs(ours[i] - expected[212 * b + i]));
            }
            System.out.printf("PFLD landmarks, box %d: max |diff| %.3g px%n", b, max);
            assertTrue(max < 1e-2, "box " + b + ": max |diff| " + max + " px");
        }
    }

    /** The handler's arithmetic on the spec's golden box: centre (208, 228), a 370-pixel square at (23, 43). */
    @Test
    void squareOfTheGoldenBox() {
        Pfld.Crop crop = Pfld.crop(photo, new DetectedFace(96.449936f, 74.030655f, 318.95624f, 381.9057f, 1f, new float[0]));
        assertEquals(23, crop.x());
        assertEquals(43, crop.y());
        assertEquals(370, crop.size());
        assertEquals(3 * 112 * 112, crop.chw().length);
    }

    @Test
    void withoutWeightsTheErrorSaysWhatToDo() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> pfld.landmarks(photo, face(), pfld.defaultConfig()));
        assertEquals("model_path", e.key());
        assertTrue(e.getMessage().contains("five landmarks"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        String missing = dir.resolve("nothing.npz").toString();
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> pfld.landmarks(photo, face(), new Pfld.Config(missing)));
        assertEquals("model_path", e.key());
        assertTrue(e.getMessage().contains(missing), e.getMessage());
    }

    @Test
    void aCorruptFileIsNamed(@TempDir Path dir) throws Exception {
        Path bad = Files.write(dir.resolve("corrupt.npz"), new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> pfld.landmarks(photo, face(), new Pfld.Config(bad.toString())));
        assertTrue(e.getMessage().contains("corrupt.npz"), e.getMessage());
    }

    @Test
    void aMissingKeyIsNamed(@TempDir Path dir) throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>(Npz.read(weights).asMap());
        tensors.remove("block5_3.conv.5.fc.2.weight");
        Path file = dir.resolve("missing_key.npz");
        Npz.write(file, new StateDict(file.toString(), tensors));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> pfld.landmarks(photo, face(), new Pfld.Config(file.toString())));
        assertTrue(e.getMessage().contains("block5_3.conv.5.fc.2.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("missing_key.npz"), e.getMessage());
    }

    @Test
    void aMisShapedKeyIsNamed(@TempDir Path dir) throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>(Npz.read(weights).asMap());
        tensors.put("conv7.weight", Tensor.ofFloats(new float[32 * 16 * 9], 32, 16, 9));
        Path file = dir.resolve("bad_shape.npz");
        Npz.write(file, new StateDict(file.toString(), tensors));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> pfld.landmarks(photo, face(), new Pfld.Config(file.toString())));
        assertTrue(e.getMessage().contains("conv7.weight"), e.getMessage());
    }

    @Test
    void aBoxThatIsNotOneIsRefused() {
        DetectedFace inverted = new DetectedFace(100, 100, 10, 10, 1f, new float[0]);
        assertThrows(IllegalArgumentException.class, () -> Pfld.crop(photo, inverted));
        DetectedFace huge = new DetectedFace(0, 0, 5000, 5000, 1f, new float[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pfld.crop(photo, huge));
        assertTrue(e.getMessage().contains("6001-pixel square"), e.getMessage());
    }

    private static DetectedFace face() {
        return new DetectedFace(96.449936f, 74.030655f, 318.95624f, 381.9057f, 1f, new float[0]);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float min(float[] a) {
        float v = Float.POSITIVE_INFINITY;
        for (float x : a) {
            v = Math.min(v, x);
        }
        return v;
    }

    private static float max(float[] a) {
        float v = Float.NEGATIVE_INFINITY;
        for (float x : a) {
            v = Math.max(v, x);
        }
        return v;
    }
}
