package io.facex.head.npcface;

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
 * The head contract, parity with FaceX-Zoo's {@code head/NPCFace.py} (float32, feat_dim 8, 5 classes,
 * batch 4) from {@code fixtures/npcface.npz}, and the spec's golden table. In the fixture row 0 has
 * cos θ_y ≤ 0 (target left as is) with 3 hard negatives, rows 1 and 2 take the adaptive margin with 4
 * and 2 hard negatives, and row 3 has none (mean over max(0, 1)).
 */
class NPCFaceTest extends HeadContract<NPCFace.Config> {

    private static final NPCFace.Config SMALL = new NPCFace.Config(8, 5, 0.35, 32);

    NPCFaceTest() {
        super(new NPCFace());
    }

    @Override
    protected NPCFace.Config testConfig() {
        return SMALL;
    }

    private static StateDict fixture(Path dir) throws IOException {
        try (InputStream in = NPCFaceTest.class.getResourceAsStream("/fixtures/npcface.npz")) {
            assertTrue(in != null, "test resource /fixtures/npcface.npz is missing");
            Path file = dir.resolve("npcface.npz");
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
        Block b = new NPCFace().build(SMALL, new HeadSize(8, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(f.require("labels").toLongArray());
            b.initialize(m, DataType.FLOAT32, new Shape(feats.shape()), labels.getShape());
            b.getParameters().get("kernel").getArray().set(f.require("weight").toFloatArray());
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
                    b.getParameters().get("kernel").getArray().getGradient().toFloatArray(), 1e-5f,
                    "d loss / d kernel");
        }
    }

    @Test
    void matchesSpecGoldenTable() {
        Block b = new NPCFace().build(new NPCFace.Config(4, 3, 0.35, 32), new HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(new long[] {2, 0, 1});
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            b.getParameters().get("kernel").getArray().set(new float[] {
                0.5f, -0.2f, 0.9f, 0.1f, 0.8f, 0.3f, 0.7f, 0.1f, -0.4f, 0.2f, -0.5f, 0.6f});
            NDArray x = m.create(new float[] {1, 2, 3, 4, -1, 0.5f, 2, -0.3f, 0.3f, -0.2f, 0.1f, 0.9f}, new Shape(3, 4));
            NDArray z = b.forward(new ParameterStore(m, false), new NDList(x, labels), false).singletonOrThrow();
            assertArrayEquals(new float[] {
                32.429806f, -1.807786f, -3.875582f,
                -1.172040f, 21.325598f, -20.103945f,
                21.840128f, -22.349520f, 27.917662f}, z.toFloatArray(), 1e-4f, "golden logits");
        }
    }

    @Test
    void renormInitGivesUnitClassColumns() {
        Block b = new NPCFace().build(new NPCFace.Config(64, 10, 0.35, 32), new HeadSize(64, 10));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 64), new Shape(2));
            for (float n : b.getParameters().get("kernel").getArray().norm(new int[] {0}).toFloatArray()) {
                assertEquals(1.0, n, 1e-4);
            }
        }
    }

    @Test
    void rejectsBadConfig() {
        NPCFace npc = new NPCFace();
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(512, 10, -0.1, 32))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(512, 1, 0.35, 32))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(0, 10, 0.35, 32))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(512, 10, 0.35, 0))).key());
    }
}
