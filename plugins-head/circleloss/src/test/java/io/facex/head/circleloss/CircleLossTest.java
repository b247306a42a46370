package io.facex.head.circleloss;

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
 * The head contract, the spec's golden table, and parity with FaceX-Zoo's {@code head/CircleLoss.py}
 * (float32, feat_dim 8, 5 classes, batch 4, margin 0.25, gamma 256): logits, cross-entropy and both
 * gradients from {@code fixtures/circleloss.npz}. Three of its non-target cosines lie below −m, so
 * their α_n is clamped to 0 (logit and gradient 0); the rest take α_n = c + m. The gradients only
 * match if α_p and α_n carry none.
 */
class CircleLossTest extends HeadContract<CircleLoss.Config> {

    private static final CircleLoss.Config SMALL = new CircleLoss.Config(8, 5, 0.25, 256);

    CircleLossTest() {
        super(new CircleLoss());
    }

    @Override
    protected CircleLoss.Config testConfig() {
        return SMALL;
    }

    private static StateDict fixture(Path dir) throws IOException {
        try (InputStream in = CircleLossTest.class.getResourceAsStream("/fixtures/circleloss.npz")) {
            assertTrue(in != null, "test resource /fixtures/circleloss.npz is missing");
            Path file = dir.resolve("circleloss.npz");
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
        Block b = new CircleLoss().build(SMALL, new HeadSize(8, 5));
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
            // γ = 256 makes the loss ≈ 308, where one float32 ulp is 3e-5: checked to 1e-5 relative
            float expected = f.require("loss").toFloatArray()[0];
            assertEquals(expected, loss.getFloat(), 1e-5 * Math.abs(expected), "loss");
            assertArrayEquals(f.require("grad_features").toFloatArray(), x.getGradient().toFloatArray(), 1e-5f,
                    "d loss / d features");
            assertArrayEquals(f.require("grad_weight").toFloatArray(),
                    b.getParameters().get("weight").getArray().getGradient().toFloatArray(), 1e-5f,
                    "d loss / d weight");
        }
    }

    /** facexzoo-spec.md §2's golden table for CircleLoss (margin 0.25, gamma 256). */
    @Test
    void matchesSpecGoldenTable() {
        float[] w = {0.5f, -0.2f, 0.9f, 0.1f, 0.8f, 0.3f, 0.7f, 0.1f, -0.4f, 0.2f, -0.5f, 0.6f};
        float[] feats = {1, 2, 3, 4, -1, 0.5f, 2, -0.3f, 0.3f, -0.2f, 0.1f, 0.9f};
        float[] golden = {123.989830f, -15.182979f, -72.006996f,
            -66.209167f, 30.027578f, -0.000000f,
            33.255692f, -722.467529f, 79.663170f};
        Block b = new CircleLoss().build(new CircleLoss.Config(4, 3, 0.25, 256), new HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(new long[] {2, 0, 1});
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            b.getParameters().get("weight").getArray().set(w);
            NDArray z = b.forward(new ParameterStore(m, false), new NDList(m.create(feats, new Shape(3, 4)), labels),
                    false).singletonOrThrow();
            assertArrayEquals(golden, z.toFloatArray(), 1e-4f, "golden logits");
        }
    }

    @Test
    void renormInitGivesUnitClassColumns() {
        Block b = new CircleLoss().build(new CircleLoss.Config(64, 10, 0.25, 256), new HeadSize(64, 10));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 64), new Shape(2));
            for (float n : b.getParameters().get("weight").getArray().norm(new int[] {0}).toFloatArray()) {
                assertEquals(1.0, n, 1e-4);
            }
        }
    }

    @Test
    void rejectsBadConfig() {
        CircleLoss circle = new CircleLoss();
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> circle.validate(new CircleLoss.Config(0, 10, 0.25, 256))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> circle.validate(new CircleLoss.Config(512, 1, 0.25, 256))).key());
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> circle.validate(new CircleLoss.Config(512, 10, -0.1, 256))).key());
        assertEquals("gamma", assertThrows(InvalidConfigException.class,
                () -> circle.validate(new CircleLoss.Config(512, 10, 0.25, 0))).key());
    }
}
