package io.facex.head.arcface;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/ArcFace.py} (float32, feat_dim 8, 5
 * classes, batch 4): logits, cross-entropy and both gradients from {@code fixtures/arcface.npz}. Its
 * last row lies opposite its class vector, so its target takes the fallback branch (θ + m > π).
 */
class ArcFaceTest extends HeadContract<ArcFace.Config> {

    private static final ArcFace.Config SMALL = new ArcFace.Config(8, 5, 0.35, 0.0, 32);

    ArcFaceTest() {
        super(new ArcFace());
    }

    @Override
    protected ArcFace.Config testConfig() {
        return SMALL;
    }

    private static StateDict fixture(Path dir) throws IOException {
        try (InputStream in = ArcFaceTest.class.getResourceAsStream("/fixtures/arcface.npz")) {
            assertTrue(in != null, "test resource /fixtures/arcface.npz is missing");
            Path file = dir.resolve("arcface.npz");
            Files.copy(in, file);
            return Npz.read(file);
        }
    }

    private static NDArray array(NDManager m, Tensor t) {
        return m.create(t.toFloatArray(), new Shape(t.shape()));
    }

    @Test
    void matchesFaceXZooLogitsLossAndGradients(@TempDir Path dir) throws IOException {
        StateDict f = fixture(dir);
        Tensor feats = f.require("features");
        Block b = new ArcFace().build(SMALL, new HeadSize(8, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(f.require("labels").toLongArray());
            b.initialize(m, DataType.FLOAT32, new Shape(feats.shape()), labels.getShape());
            b.getParameters().get("weight").getArray().set(f.require("weight").toFloatArray());
            NDArray x = array(m, feats);
            x.setRequiresGradient(true);
            NDArray z;
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                z = b.forward(new ParameterStore(m, true), new NDList(x, labels), true).singletonOrThrow();
                loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(z));
                gc.backward(loss);
            }
            assertArrayEquals(f.require("logits").toFloatArray(), z.toFloatArray(), 1e-5f, "logits");
            assertEquals(f.require("loss").toFloatArray()[0], loss.getFloat(), 1e-5, "loss");
            assertArrayEquals(f.require("grad_features").toFloatArray(), x.getGradient().toFloatArray(), 1e-5f,
                    "d loss / d features");
            assertArrayEquals(f.require("grad_weight").toFloatArray(),
                    b.getParameters().get("weight").getArray().getGradient().toFloatArray(), 1e-5f,
                    "d loss / d weight");
        }
    }

    @Test
    void renormInitGivesUnitClassColumns() {
        Block b = new ArcFace().build(new ArcFace.Config(64, 10, 0.35, 0.0, 32), new HeadSize(64, 10));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 64), new Shape(2));
            for (float n : b.getParameters().get("weight").getArray().norm(new int[] {0}).toFloatArray()) {
                assertEquals(1.0, n, 1e-4);
            }
        }
    }

    @Test
    void rejectsBadConfig() {
        ArcFace arc = new ArcFace();
        assertEquals("margin_arc", assertThrows(InvalidConfigException.class,
                () -> arc.validate(new ArcFace.Config(512, 10, -0.1, 0.0, 32))).key());
        assertEquals("margin_am", assertThrows(InvalidConfigException.class,
                () -> arc.validate(new ArcFace.Config(512, 10, 0.35, -1, 32))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> arc.validate(new ArcFace.Config(512, 1, 0.35, 0.0, 32))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> arc.validate(new ArcFace.Config(512, 10, 0.35, 0.0, 0))).key());
    }
}
