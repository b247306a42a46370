package io.facex.head.curricularface;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.testkit.HeadContract;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * The head contract, and parity with FaceX-Zoo's {@code head/CurricularFace.py} (float32, feat_dim 8, 5
 * classes, batch 4, two steps from t = 0): logits, cross-entropy, both gradients and t after each step
 * from {@code fixtures/curricularface.npz}. Row 2 lies opposite its class column (fallback branch, g ≤
 * cos(π − m)); the rows have both hard (c > cos(θ_y + m)) and easy non-target cosines.
 */
class CurricularFaceTest extends HeadContract<CurricularFace.Config> {

    private static final CurricularFace.Config SMALL = new CurricularFace.Config(8, 5, 0.5, 64);

    CurricularFaceTest() {
        super(new CurricularFace());
    }

    @Override
    protected CurricularFace.Config testConfig() {
        return SMALL;
    }

    @Override
    protected Golden<CurricularFace.Config> faceXZooGolden() {
        return new Golden<>(new CurricularFace.Config(4, 3, 0.5, 64), new float[] {
            35.020897f, 0.202465f, -4.700619f, -3.315630f, 11.520334f, -40.207890f, 12.327826f, -61.186649f, 23.935167f});
    }

    private static StateDict fixture(Path dir) throws IOException {
        try (InputStream in = CurricularFaceTest.class.getResourceAsStream("/fixtures/curricularface.npz")) {
            assertTrue(in != null, "test resource /fixtures/curricularface.npz is missing");
            Path file = dir.resolve("curricularface.npz");
            Files.copy(in, file);
            return Npz.read(file);
        }
    }

    private static NDArray array(NDManager m, Tensor t) {
        return m.create(t.toFloatArray(), new Shape(t.shape()));
    }

    @Test
    void matchesFaceXZooOverTwoSteps(@TempDir Path dir) throws IOException {
        StateDict f = fixture(dir);
        Tensor feats = f.require("features");
        Block b = new CurricularFace().build(SMALL, new HeadSize(8, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(f.require("labels").toLongArray());
            b.initialize(m, DataType.FLOAT32, new Shape(feats.shape()), labels.getShape());
            Parameter kernel = b.getParameters().get("kernel");
            kernel.getArray().set(f.require("weight").toFloatArray());
            assertEquals(0f, b.getParameters().get("t").getArray().getFloat(), "t starts at 0");
            for (int step = 1; step <= 2; step++) {
                try (NDManager batch = m.newSubManager()) {
                    NDArray x = array(batch, feats);
                    x.setRequiresGradient(true);
                    NDArray z;
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.zeroGradients(); // as the trainer does each step (FaceX-Zoo's fixture zeroes too)
                        z = b.forward(new ParameterStore(batch, true), new NDList(x, labels), true).singletonOrThrow();
                        loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(z));
                        gc.backward(loss);
                    }
                    String s = " (step " + step + ")";
                    assertArrayEquals(f.require("logits" + step).toFloatArray(), z.toFloatArray(), 1e-5f, "logits" + s);
                    assertEquals(f.require("loss" + step).toFloatArray()[0], loss.getFloat(), 1e-5, "loss" + s);
                    assertArrayEquals(f.require("grad_features" + step).toFloatArray(),
                            x.getGradient().toFloatArray(), 1e-5f, "d loss / d features" + s);
                    assertArrayEquals(f.require("grad_weight" + step).toFloatArray(),
                            kernel.getArray().getGradient().toFloatArray(), 1e-5f, "d loss / d kernel" + s);
                    assertArrayEquals(f.require("t" + step).toFloatArray(),
                            b.getParameters().get("t").getArray().toFloatArray(), 1e-8f, "t" + s);
                }
            }
        }
    }

    @Test
    void runningStatisticIsANonTrainableParameterNamedT() {
        Block b = new CurricularFace().build(SMALL, new HeadSize(8, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 8), new Shape(2));
            Parameter t = b.getParameters().get("t");
            assertEquals(Parameter.Type.RUNNING_MEAN, t.getType());
            assertFalse(t.requiresGradient());
            assertEquals(new Shape(1), t.getArray().getShape());
            assertTrue(b.getParameters().get("kernel").requiresGradient());
        }
    }

    /** t is written and read with the block's parameters, so a resumed run keeps its curriculum. */
    @Test
    void runningStatisticIsSavedAndRestored() throws IOException, ai.djl.MalformedModelException {
        Block a = new CurricularFace().build(SMALL, new HeadSize(8, 5));
        Block b = new CurricularFace().build(SMALL, new HeadSize(8, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            a.initialize(m, DataType.FLOAT32, new Shape(2, 8), new Shape(2));
            b.initialize(m, DataType.FLOAT32, new Shape(2, 8), new Shape(2));
            a.getParameters().get("t").getArray().set(new float[] {0.25f});
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            a.saveParameters(new java.io.DataOutputStream(bytes));
            b.loadParameters(m, new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
            assertEquals(0.25f, b.getParameters().get("t").getArray().getFloat());
            assertArrayEquals(a.getParameters().get("kernel").getArray().toFloatArray(),
                    b.getParameters().get("kernel").getArray().toFloatArray());
        }
    }

    @Test
    void kernelIsDrawnFromNormalWithSigmaOneHundredth() {
        Block b = new CurricularFace().build(new CurricularFace.Config(128, 200, 0.5, 64), new HeadSize(128, 200));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 128), new Shape(2));
            NDArray k = b.getParameters().get("kernel").getArray();
            assertEquals(0.0, k.mean().getFloat(), 1e-3);
            assertEquals(0.01, k.square().mean().sqrt().getFloat(), 1e-3);
        }
    }

    @Test
    void rejectsBadConfig() {
        CurricularFace cf = new CurricularFace();
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> cf.validate(new CurricularFace.Config(512, 10, -0.1, 64))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> cf.validate(new CurricularFace.Config(512, 1, 0.5, 64))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> cf.validate(new CurricularFace.Config(0, 10, 0.5, 64))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> cf.validate(new CurricularFace.Config(512, 10, 0.5, 0))).key());
    }
}
