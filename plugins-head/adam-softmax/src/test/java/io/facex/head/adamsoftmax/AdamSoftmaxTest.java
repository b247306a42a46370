package io.facex.head.adamsoftmax;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/AdaM_Softmax.py} (PyTorch 1.13, float32):
 * {@code fixtures/adam_softmax.npz} holds, for feat_dim 8, 5 classes, 4 faces, s 32, λ 70, the kernel and
 * the margins {@code adam} (fixed values in [0.3, 0.4)), its logits, second term, loss (cross-entropy plus
 * the mean of the second term) and the loss's gradients w.r.t. the features, the kernel and adam. The
 * kit's fixture and golden checks set only the class matrix, while this head's output also depends on
 * adam, so both checks are stated here, setting both parameters.
 */
class AdamSoftmaxTest extends HeadContract<AdamSoftmax.Config> {

    AdamSoftmaxTest() {
        super(new AdamSoftmax());
    }

    @Override
    protected AdamSoftmax.Config testConfig() {
        return new AdamSoftmax.Config(8, 5, 32, 70.0);
    }

    @Override
    protected boolean renormInitialised() {
        return true;
    }

    private static final float[] GOLDEN_FEATURES = {1, 2, 3, 4, -1, 0.5f, 2, -0.3f, 0.3f, -0.2f, 0.1f, 0.9f};
    private static final float[] GOLDEN_CLASSES = {0.5f, -0.2f, 0.9f, 0.1f, 0.8f, 0.3f, 0.7f, 0.1f, -0.4f, 0.2f, -0.5f, 0.6f};
    private static final long[] GOLDEN_LABELS = {2, 0, 1};

    /** The spec's golden case (§2) with adam = [0.3, 0.35, 0.4]: its logits to 1e-4 and λ·Lm = 45.5. */
    @Test
    void goldenLogitsAndMarginTermAreFaceXZoos() {
        AdamSoftmax.Rule b = (AdamSoftmax.Rule) new AdamSoftmax().build(new AdamSoftmax.Config(4, 3, 32, 70.0), new HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(GOLDEN_LABELS);
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            b.getParameters().get("kernel").getArray().set(GOLDEN_CLASSES);
            b.adam().getArray().set(new float[] {0.3f, 0.35f, 0.4f});
            NDList out = b.forward(new ParameterStore(m, false),
                    new NDList(m.create(GOLDEN_FEATURES, new Shape(3, 4)), labels), false);
            assertArrayEquals(new float[] {23.663460f, -1.807786f, 0.437592f, 4.266146f, 13.568726f, -20.103945f,
                14.036480f, -33.549519f, 19.561510f}, out.get(0).toFloatArray(), 1e-4f, "the spec's golden logits");
            assertEquals(new Shape(1), out.get(1).getShape());
            assertEquals(45.5f, out.get(1).getFloat(), 1e-4f, "λ·Lm");
        }
    }

    /** adam is clamped to [0, 1] in place before use, as FaceX-Zoo's {@code self.adam.data.clamp_(0, 1)}. */
    @Test
    void adamIsClampedInPlace() {
        AdamSoftmax.Rule b = (AdamSoftmax.Rule) new AdamSoftmax().build(new AdamSoftmax.Config(4, 3, 32, 70.0), new HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(GOLDEN_LABELS);
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            b.adam().getArray().set(new float[] {-0.5f, 0.5f, 1.5f});
            NDList out = b.forward(new ParameterStore(m, false),
                    new NDList(m.create(GOLDEN_FEATURES, new Shape(3, 4)), labels), false);
            assertArrayEquals(new float[] {0f, 0.5f, 1f}, b.adam().getArray().toFloatArray(), 0f);
            assertEquals(70f * (1f - 0.5f), out.get(1).getFloat(), 1e-4f);
        }
    }

    @Test
    void kernelIsTheFirstParameterAndAdamStartsInItsRange() {
        AdamSoftmax.Rule b = (AdamSoftmax.Rule) new AdamSoftmax().build(testConfig(), new HeadSize(8, 50));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 8), new Shape(2));
            assertEquals("kernel", b.getParameters().keys().get(0));
            assertEquals("adam", b.getParameters().keys().get(1));
            assertEquals(new Shape(1, 50), b.adam().getArray().getShape());
            for (float v : b.adam().getArray().toFloatArray()) {
                assertTrue(v >= 0.3f && v <= 0.4f, "adam starts in U(0.3, 0.4), got " + v);
            }
            assertTrue(b.adam().requiresGradient(), "adam is trainable");
        }
    }

    /** FaceX-Zoo's logits, second term, loss and the gradients (features, kernel, adam) to 1e-5. */
    @Test
    void faceXZooFixtureWithItsMarginsGivesFaceXZoosStep(@TempDir Path dir) throws IOException {
        StateDict f;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/adam_softmax.npz")) {
            assertNotNull(in, "test resource /fixtures/adam_softmax.npz is missing");
            Path file = dir.resolve("adam_softmax.npz");
            Files.copy(in, file);
            f = Npz.read(file);
        }
        Tensor feats = f.require("features");
        Tensor weight = f.require("weight");
        AdamSoftmax.Rule b = (AdamSoftmax.Rule) new AdamSoftmax().build(testConfig(),
                new HeadSize((int) weight.shape()[0], (int) weight.shape()[1]));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(f.require("labels").toLongArray());
            b.initialize(m, DataType.FLOAT32, new Shape(feats.shape()), labels.getShape());
            Parameter kernel = b.getParameters().get("kernel");
            kernel.getArray().set(weight.toFloatArray());
            b.adam().getArray().set(f.require("adam").toFloatArray());
            NDArray x = m.create(feats.toFloatArray(), new Shape(feats.shape()));
            x.setRequiresGradient(true);
            NDList out;
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = b.forward(new ParameterStore(m, true), new NDList(x, labels), true);
                loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(out.get(0)))
                        .add(out.get(1).mean());
                gc.backward(loss);
            }
            assertArrayEquals(f.require("logits").toFloatArray(), out.get(0).toFloatArray(), 1e-5f, "logits");
            assertArrayEquals(f.require("extra").toFloatArray(), out.get(1).toFloatArray(), 1e-5f, "λ·Lm");
            float expected = f.require("loss").toFloatArray()[0];
            assertEquals(expected, loss.getFloat(), 1e-5 * Math.max(1, Math.abs(expected)), "loss");
            assertArrayEquals(f.require("grad_features").toFloatArray(), x.getGradient().toFloatArray(), 1e-5f,
                    "d loss / d features");
            assertArrayEquals(f.require("grad_weight").toFloatArray(), kernel.getArray().getGradient().toFloatArray(),
                    1e-5f, "d loss / d kernel");
            assertArrayEquals(f.require("grad_adam").toFloatArray(), b.adam().getArray().getGradient().toFloatArray(),
                    1e-5f, "d loss / d adam");
        }
    }

    @Test
    void rejectsBadConfigNamingTheKey() {
        AdamSoftmax a = new AdamSoftmax();
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> a.validate(new AdamSoftmax.Config(0, 10, 32, 70))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> a.validate(new AdamSoftmax.Config(512, 1, 32, 70))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> a.validate(new AdamSoftmax.Config(512, 10, 0, 70))).key());
        assertEquals("lamda", assertThrows(InvalidConfigException.class,
                () -> a.validate(new AdamSoftmax.Config(512, 10, 32, -1))).key());
    }
}
