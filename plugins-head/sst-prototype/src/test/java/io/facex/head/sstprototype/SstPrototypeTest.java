package io.facex.head.sstprototype;

import ai.djl.MalformedModelException;
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
import io.facex.nn.PrototypeQueue;
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
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/SST_Prototype.py} (float32, feat_dim 8,
 * queue_size 12, batch 4, scale 32, margin 0.35): three consecutive calls from
 * {@code fixtures/sst_prototype.npz} (am_softmax) and {@code fixtures/sst_prototype_arc.npz}
 * (arc_softmax), with the draws 0.7, 0.2, 0.9 (g1, g2, g1 enter the queue; the third call wraps the
 * write position to 0). Each call's logits, labels, loss ½(CE₁ + CE₂), its gradients with respect to both
 * probe views, and the queue, identities and write position afterwards. In the first call two probes lie
 * close to their gallery views (cos 0.94, 0.88) and one nearly opposite (cos −0.97: θ + m past π, where
 * arc_softmax has no threshold). Not closer: at cos 0.998 the arc's slope times s turns one float32 ulp
 * of the cosine (the two libtorch builds round the norms differently) into 1.2e-5 in the logit.
 */
class SstPrototypeTest extends HeadContract<SstPrototype.Config> {

    private static final SstPrototype.Config SMALL = new SstPrototype.Config(8, 12, 32.0, "am_softmax", 0.35);

    SstPrototypeTest() {
        super(new SstPrototype());
    }

    @Override
    protected SstPrototype.Config testConfig() {
        return SMALL;
    }

    /** Both views from the kit's features: the gallery's a little off the probe's. */
    @Override
    protected NDList forwardInputs(NDArray features, NDArray labels) {
        NDManager m = features.getManager();
        NDArray g2 = features.add(m.randomNormal(features.getShape()).mul(0.1f));
        NDArray p2 = features.add(m.randomNormal(features.getShape()).mul(0.1f));
        NDArray g1 = features.add(m.randomNormal(features.getShape()).mul(0.1f));
        return new NDList(features, g2, p2, g1, labels, m.create(new float[] {0.7f}));
    }

    private static StateDict fixture(Path dir, String name) throws IOException {
        try (InputStream in = SstPrototypeTest.class.getResourceAsStream("/fixtures/" + name)) {
            assertTrue(in != null, "test resource /fixtures/" + name + " is missing");
            Path file = dir.resolve(name);
            Files.copy(in, file);
            return Npz.read(file);
        }
    }

    private static NDArray array(NDManager m, Tensor t) {
        return m.create(t.toFloatArray(), new Shape(t.shape()));
    }

    private static Block initialised(SstPrototype.Config c, NDManager m) {
        Block b = new SstPrototype().build(c, new HeadSize(c.featDim(), 0));
        b.initialize(m, DataType.FLOAT32, new Shape(4, c.featDim()), new Shape(4));
        return b;
    }

    private static NDArray state(Block b, String name) {
        return b.getParameters().get(name).getArray();
    }

    @Test
    void matchesFaceXZooWithAmSoftmax(@TempDir Path dir) throws IOException {
        matchesFaceXZoo(fixture(dir, "sst_prototype.npz"), "am_softmax");
    }

    @Test
    void matchesFaceXZooWithArcSoftmax(@TempDir Path dir) throws IOException {
        matchesFaceXZoo(fixture(dir, "sst_prototype_arc.npz"), "arc_softmax");
    }

    private void matchesFaceXZoo(StateDict f, String lossType) {
        SstPrototype.Config c = new SstPrototype.Config(8, 12, 32.0, lossType, 0.35);
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = initialised(c, m);
            state(b, "queue").set(f.require("queue").toFloatArray());
            for (int k = 1; k <= 3; k++) {
                try (NDManager batch = m.newSubManager()) {
                    NDArray p1 = array(batch, f.require("p1_" + k));
                    NDArray p2 = array(batch, f.require("p2_" + k));
                    p1.setRequiresGradient(true);
                    p2.setRequiresGradient(true);
                    NDList in = new NDList(p1, array(batch, f.require("g2_" + k)), p2, array(batch, f.require("g1_" + k)),
                            batch.create(f.require("ids_" + k).toLongArray()), array(batch, f.require("coin_" + k)));
                    NDList out;
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        out = b.forward(new ParameterStore(batch, false), in, true);
                        Loss ce = Loss.softmaxCrossEntropyLoss();
                        loss = ce.evaluate(new NDList(out.get(2)), new NDList(out.get(0)))
                                .add(ce.evaluate(new NDList(out.get(2)), new NDList(out.get(1)))).div(2f);
                        gc.backward(loss);
                    }
                    String s = " (" + lossType + ", call " + k + ")";
                    assertArrayEquals(f.require("logits1_" + k).toFloatArray(), out.get(0).toFloatArray(), 1e-5f, "logits1" + s);
                    assertArrayEquals(f.require("logits2_" + k).toFloatArray(), out.get(1).toFloatArray(), 1e-5f, "logits2" + s);
                    assertArrayEquals(f.require("labels_" + k).toLongArray(), out.get(2).toLongArray(), "labels" + s);
                    assertEquals(f.require("loss_" + k).toFloatArray()[0], loss.getFloat(), 1e-5, "loss" + s);
                    assertArrayEquals(f.require("grad_p1_" + k).toFloatArray(), p1.getGradient().toFloatArray(), 1e-5f,
                            "d loss / d p1" + s);
                    assertArrayEquals(f.require("grad_p2_" + k).toFloatArray(), p2.getGradient().toFloatArray(), 1e-5f,
                            "d loss / d p2" + s);
                    assertArrayEquals(f.require("queue_after_" + k).toFloatArray(), state(b, "queue").toFloatArray(), 1e-6f,
                            "queue" + s);
                    assertArrayEquals(f.require("label_list_after_" + k).toLongArray(),
                            state(b, "label_list").toType(DataType.INT64, false).toLongArray(), "label_list" + s);
                    assertEquals(f.require("index_after_" + k).toLongArray()[0], (long) state(b, "index").getFloat(), "index" + s);
                    Set<Long> expected = new TreeSet<>();
                    for (long id : f.require("id_set_" + k).toLongArray()) {
                        expected.add(id);
                    }
                    assertEquals(expected, ((PrototypeQueue) b).queuedIdentities(), "queued identities" + s);
                }
            }
        }
    }

    /** The queue, its identities and the write position travel with the block's parameters. */
    @Test
    void aRestoredQueueContinuesIdentically(@TempDir Path dir) throws IOException, MalformedModelException {
        StateDict f = fixture(dir, "sst_prototype.npz");
        try (NDManager m = NDManager.newBaseManager()) {
            Block a = initialised(SMALL, m);
            state(a, "queue").set(f.require("queue").toFloatArray());
            a.forward(new ParameterStore(m, false), inputs(m, f, 1), true);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveParameters(new DataOutputStream(bytes));
            Block b = initialised(SMALL, m);
            b.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertEquals(4f, state(b, "index").getFloat(), "the write position");
            NDList outA = a.forward(new ParameterStore(m, false), inputs(m, f, 2), true);
            NDList outB = b.forward(new ParameterStore(m, false), inputs(m, f, 2), true);
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(outA.get(i).toFloatArray(), outB.get(i).toFloatArray(), "logits" + (i + 1));
            }
            assertArrayEquals(outA.get(2).toLongArray(), outB.get(2).toLongArray(), "labels");
            for (String name : new String[] {"queue", "label_list", "index"}) {
                assertArrayEquals(state(a, name).toFloatArray(), state(b, name).toFloatArray(), name);
            }
            assertEquals(((PrototypeQueue) a).queuedIdentities(), ((PrototypeQueue) b).queuedIdentities());
        }
    }

    private static NDList inputs(NDManager m, StateDict f, int k) {
        return new NDList(array(m, f.require("p1_" + k)), array(m, f.require("g2_" + k)), array(m, f.require("p2_" + k)),
                array(m, f.require("g1_" + k)), m.create(f.require("ids_" + k).toLongArray()), array(m, f.require("coin_" + k)));
    }

    @Test
    void aBatchThatDoesNotDivideTheQueueIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = initialised(SMALL, m);
            NDArray x = m.randomNormal(new Shape(5, 8));
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> b.forward(new ParameterStore(m, false),
                    new NDList(x, x, x, x, m.create(new long[] {0, 1, 2, 3, 4}), m.create(new float[] {0.7f})), true));
            assertEquals("queue_size", e.key());
            assertTrue(e.getMessage().contains("multiple of the batch size"), e.getMessage());
            assertEquals(0f, state(b, "index").getFloat(), "a refused batch leaves the queue alone");
        }
    }

    @Test
    void theStateIsThreeNonTrainableParametersStartingEmpty() {
        SstPrototype.Config c = new SstPrototype.Config(64, 40, 32.0, "am_softmax", 0.35);
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = initialised(c, m);
            assertEquals(java.util.List.of("queue", "label_list", "index"), b.getParameters().keys());
            for (Parameter p : b.getParameters().values()) {
                assertEquals(Parameter.Type.RUNNING_MEAN, p.getType(), p.getName());
                assertFalse(p.requiresGradient(), p.getName());
            }
            NDArray q = state(b, "queue");
            assertEquals(new Shape(64, 40), q.getShape());
            for (float n : q.norm(new int[] {0}).toFloatArray()) {
                assertEquals(1.0, n, 1e-6, "a column's norm");
            }
            // uniform(−1, 1) before the renorm: not one constant column
            assertTrue(q.max().getFloat() > 0 && q.min().getFloat() < 0);
            for (float id : state(b, "label_list").toFloatArray()) {
                assertEquals(-1f, id);
            }
            assertEquals(0f, state(b, "index").getFloat());
            assertTrue(((PrototypeQueue) b).queuedIdentities().isEmpty());
            assertEquals(40, ((PrototypeQueue) b).queueSize());
        }
    }

    @Test
    void rejectsBadConfig() {
        SstPrototype h = new SstPrototype();
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(0, 12, 32, "am_softmax", 0.35))).key());
        assertEquals("queue_size", assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(8, 0, 32, "am_softmax", 0.35))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(8, 12, 0, "am_softmax", 0.35))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(8, 12, Double.POSITIVE_INFINITY, "am_softmax", 0.35))).key());
        InvalidConfigException typo = assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(8, 12, 32, "am_sofmax", 0.35)));
        assertEquals("loss_type", typo.key());
        assertTrue(typo.getMessage().contains("softmax, am_softmax, arc_softmax"), typo.getMessage());
        assertTrue(typo.getMessage().contains("did you mean am_softmax"), typo.getMessage());
        assertEquals("loss_type", assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(8, 12, 32, null, 0.35))).key());
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(8, 12, 32, "am_softmax", -0.1))).key());
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> h.validate(new SstPrototype.Config(8, 12, 32, "arc_softmax", Double.NaN))).key());
        for (String ok : new String[] {"softmax", "am_softmax", "arc_softmax"}) {
            h.validate(new SstPrototype.Config(8, 12, 32, ok, 0.0));
        }
    }

    @Test
    void needsNoClassCountAndDeclaresItsFeatureSize() {
        SstPrototype h = new SstPrototype();
        assertFalse(h.needsClassCount());
        assertEquals(new HeadSize(512, 0), h.declaredSize(h.defaultConfig()).orElseThrow());
        assertEquals(new SstPrototype.Config(512, 16384, 32.0, "am_softmax", 0.35), h.defaultConfig());
    }
}
