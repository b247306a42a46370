package io.facex.head.adacos;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.nn.CosineClassifier;
import io.facex.testkit.HeadContract;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/AdaCos.py} (float32, feat_dim 8, 5 classes,
 * batch 4) from {@code fixtures/adacos.npz}: logits, cross-entropy and both gradients of the first call
 * (the kit's test), and the scale over two consecutive calls of the same module. The first batch's
 * median target angle lies above π/4 (so s = ln B_avg / cos π/4); the second batch lies near its class
 * vectors, so θ_med is used, and its four target angles make the lower median differ from the mean of
 * the middle two.
 */
class AdaCosTest extends HeadContract<AdaCos.Config> {

    private static final AdaCos.Config SMALL = new AdaCos.Config(8, 5);

    /** The spec's golden input (§2), the class matrix already transposed to one class per row. */
    private static final float[] GOLDEN_FEATURES = {1, 2, 3, 4, -1, 0.5f, 2, -0.3f, 0.3f, -0.2f, 0.1f, 0.9f};
    private static final float[] GOLDEN_W = {0.5f, 0.1f, 0.7f, 0.2f, -0.2f, 0.8f, 0.1f, -0.5f, 0.9f, 0.3f, -0.4f, 0.6f};
    private static final long[] GOLDEN_LABELS = {2, 0, 1};

    AdaCosTest() {
        super(new AdaCos());
    }

    @Override
    protected AdaCos.Config testConfig() {
        return SMALL;
    }

    @Override
    protected String faceXZooFixture() {
        return "adacos.npz";
    }

    @Override
    protected Golden<AdaCos.Config> faceXZooGolden() {
        return new Golden<>(new AdaCos.Config(4, 3), new float[] {
            1.079759f, -0.082489f, 0.604029f, 0.632710f, 0.619138f, -0.917339f, 0.640482f, -1.019804f, 0.892588f});
    }

    private static float scale(Block b) {
        return b.getParameters().get("scale").getArray().getFloat();
    }

    /** The spec's s₀ = √2·ln 2 and the s₁ its golden batch sets; the call is an inference pass (FaceX-Zoo updates then too). */
    @Test
    void goldenScaleFollowsFaceXZoo() {
        Block b = new AdaCos().build(new AdaCos.Config(4, 3), new HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(GOLDEN_LABELS);
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            b.getParameters().get("W").getArray().set(GOLDEN_W);
            assertEquals(0.980258f, scale(b), 1e-6f, "s₀");
            b.forward(new ParameterStore(m, false), new NDList(m.create(GOLDEN_FEATURES, new Shape(3, 4)), labels), false);
            assertEquals(1.460154f, scale(b), 1e-6f, "s₁");
        }
    }

    private static StateDict fixture(Path dir) throws IOException {
        try (InputStream in = AdaCosTest.class.getResourceAsStream("/fixtures/adacos.npz")) {
            assertTrue(in != null, "test resource /fixtures/adacos.npz is missing");
            Path file = dir.resolve("adacos.npz");
            Files.copy(in, file);
            return Npz.read(file);
        }
    }

    private static Block fixtureBlock(StateDict f, NDManager m) {
        Block b = new AdaCos().build(SMALL, new HeadSize(8, 5));
        b.initialize(m, DataType.FLOAT32, new Shape(4, 8), new Shape(4));
        b.getParameters().get("W").getArray().set(f.require("weight").toFloatArray());
        return b;
    }

    private static NDArray call(Block b, NDManager m, Tensor features, Tensor labels) {
        NDArray x = m.create(features.toFloatArray(), new Shape(features.shape()));
        return b.forward(new ParameterStore(m, true), new NDList(x, m.create(labels.toLongArray())), true).get(0);
    }

    @Test
    void twoCallsFollowFaceXZoosScale(@TempDir Path dir) throws IOException {
        StateDict f = fixture(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = fixtureBlock(f, m);
            assertEquals(f.require("scale_before").toFloatArray()[0], scale(b), 1e-6f, "s₀ = √2·ln 4");
            NDArray z1 = call(b, m, f.require("features"), f.require("labels"));
            assertArrayEquals(f.require("logits").toFloatArray(), z1.toFloatArray(), 1e-5f, "first logits");
            assertEquals(f.require("scale_after").toFloatArray()[0], scale(b), 1e-5f, "s after the first call");
            NDArray z2 = call(b, m, f.require("features2"), f.require("labels2"));
            assertArrayEquals(f.require("logits2").toFloatArray(), z2.toFloatArray(), 1e-5f, "second logits");
            assertEquals(f.require("scale_after2").toFloatArray()[0], scale(b), 1e-5f, "s after the second call");
        }
    }

    /** The scale is written and read with the block's parameters: a fresh block resumes where the first stopped. */
    @Test
    void scaleSurvivesACheckpoint(@TempDir Path dir) throws IOException, MalformedModelException {
        StateDict f = fixture(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            Block a = fixtureBlock(f, m);
            call(a, m, f.require("features"), f.require("labels"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveParameters(new DataOutputStream(bytes));

            Block b = new AdaCos().build(SMALL, new HeadSize(8, 5));
            b.initialize(m, DataType.FLOAT32, new Shape(4, 8), new Shape(4));
            b.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertEquals(scale(a), scale(b), "scale restored");
            NDArray z2 = call(b, m, f.require("features2"), f.require("labels2"));
            assertArrayEquals(f.require("logits2").toFloatArray(), z2.toFloatArray(), 1e-5f, "next logits after reload");
            assertEquals(f.require("scale_after2").toFloatArray()[0], scale(b), 1e-5f, "next scale after reload");

            // setting the parameter directly (as a state-dict import would) does the same
            Block c = fixtureBlock(f, m);
            c.getParameters().get("scale").getArray().set(f.require("scale_after").toFloatArray());
            NDArray z2c = call(c, m, f.require("features2"), f.require("labels2"));
            assertArrayEquals(f.require("logits2").toFloatArray(), z2c.toFloatArray(), 1e-5f, "next logits from a set scale");
        }
    }

    /** As FaceX-Zoo's torch.where: exp(s·cos) overflowing at a target entry does not make B_avg inf or NaN. */
    @Test
    void anOverflowingTargetExpStaysOutOfTheSum() {
        Block b = new AdaCos().build(new AdaCos.Config(4, 3), new HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(new long[] {0, 1, 2});
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            b.getParameters().get("W").getArray().set(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
            b.getParameters().get("scale").getArray().set(new float[] {200f});
            NDArray x = m.create(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, new Shape(3, 4));
            b.forward(new ParameterStore(m, false), new NDList(x, labels), false);
            // every target cosine is 1 (exp(200) overflows), every other 0: B_avg = 2·3/3, θ_med = acos(1 − 1e-7)
            float cosMed = (float) Math.cos(Math.acos((float) (1 - 1e-7)));
            assertEquals((float) Math.log(2) / cosMed, scale(b), 1e-6f);
        }
    }

    @Test
    void scaleIsANonTrainableParameterStartingAtSqrt2LnCMinus1() {
        Block b = new AdaCos().build(SMALL, new HeadSize(8, 100));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 8), new Shape(2));
            Parameter s = b.getParameters().get("scale");
            assertEquals(Parameter.Type.RUNNING_MEAN, s.getType());
            assertFalse(s.requiresGradient());
            assertEquals(new Shape(1), s.getArray().getShape());
            assertEquals((float) (Math.sqrt(2) * Math.log(99)), s.getArray().getFloat(), 1e-6f);
            assertTrue(b.getParameters().get("W").requiresGradient());
        }
    }

    /** FaceX-Zoo's xavier_uniform_ on W (C, featDim): U(−b, b), b = √(6/(featDim + C)). */
    @Test
    void classMatrixIsXavierUniform() {
        int d = 256;
        int classes = 1000;
        Block b = new AdaCos().build(new AdaCos.Config(d, classes), new HeadSize(d, classes));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, d), new Shape(2));
            NDArray w = b.getParameters().get("W").getArray();
            assertEquals(new Shape(classes, d), w.getShape());
            double bound = Math.sqrt(6.0 / (d + classes));
            float max = w.abs().max().getFloat();
            assertTrue(max <= bound && max > 0.999 * bound, "max |w| " + max + " vs bound " + bound);
            assertEquals(0.0, w.mean().getFloat(), 1e-3);
            assertEquals(bound * bound / 3, w.square().mean().getFloat(), 0.01 * bound * bound / 3);
        }
    }

    @Test
    void refusesClassSampling() {
        CosineClassifier b = (CosineClassifier) new AdaCos().build(SMALL, new HeadSize(8, 40));
        assertThrows(IllegalArgumentException.class, () -> b.sampleClasses(0.25, 7));
    }

    @Test
    void rejectsBadConfig() {
        AdaCos ada = new AdaCos();
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> ada.validate(new AdaCos.Config(0, 10))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> ada.validate(new AdaCos.Config(512, 1))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> ada.validate(new AdaCos.Config(512, 2))).key());
    }
}
