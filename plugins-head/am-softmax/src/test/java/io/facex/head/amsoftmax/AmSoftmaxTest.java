package io.facex.head.amsoftmax;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/AM_Softmax.py} (PyTorch 1.13, float32):
 * {@code fixtures/am_softmax.npz} holds its logits, cross-entropy loss and the loss's gradients w.r.t.
 * the features and the class matrix for feat_dim 8, 5 classes, 4 faces, m 0.35, s 32.
 */
class AmSoftmaxTest extends HeadContract<AmSoftmax.Config> {

    private static final double TOL = 1e-5;

    AmSoftmaxTest() {
        super(new AmSoftmax());
    }

    @Override
    protected AmSoftmax.Config testConfig() {
        return new AmSoftmax.Config(8, 5, 0.35, 32);
    }

    @Test
    void logitsLossAndGradientsMatchFaceXZoo(@TempDir Path dir) throws IOException {
        StateDict golden = Npz.read(copy("am_softmax.npz", dir));
        Tensor feats = golden.require("features");
        Tensor weight = golden.require("weight");
        long[] labels = golden.require("labels").toLongArray();
        Block b = new AmSoftmax().build(testConfig(), new HeadSize(8, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(feats.shape()), new Shape(labels.length));
            b.getParameters().get("weight").getArray().set(weight.toFloatArray());
            NDArray x = m.create(feats.toFloatArray(), new Shape(feats.shape()));
            x.setRequiresGradient(true);
            NDArray y = m.create(labels);
            NDArray z;
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                z = b.forward(new ParameterStore(m, true), new NDList(x, y), true).singletonOrThrow();
                loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(y), new NDList(z));
                gc.backward(loss);
            }
            assertClose("logits", golden.require("logits").toFloatArray(), z.toFloatArray());
            assertClose("loss", golden.require("loss").toFloatArray(), new float[] {loss.getFloat()});
            assertClose("d loss / d features", golden.require("grad_features").toFloatArray(),
                    x.getGradient().toFloatArray());
            assertClose("d loss / d weight", golden.require("grad_weight").toFloatArray(),
                    b.getParameters().get("weight").getArray().getGradient().toFloatArray());
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs((double) expected[i] - actual[i]));
        }
        System.out.printf("AM-Softmax parity, %s: largest difference %.3g%n", what, worst);
        assertEquals(0, worst, TOL, what + ": largest difference from FaceX-Zoo");
    }

    private Path copy(String resource, Path dir) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + resource)) {
            assertNotNull(in, "test resource /fixtures/" + resource + " is missing");
            Path file = dir.resolve(resource);
            Files.copy(in, file);
            return file;
        }
    }

    @Test
    void renormInitGivesUnitClassColumns() {
        Block b = new AmSoftmax().build(new AmSoftmax.Config(64, 10, 0.35, 32), new HeadSize(64, 10));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 64), new Shape(2));
            for (float n : b.getParameters().get("weight").getArray().norm(new int[] {0}).toFloatArray()) {
                assertEquals(1.0, n, 1e-4);
            }
        }
    }

    @Test
    void rejectsBadConfigNamingTheKey() {
        AmSoftmax am = new AmSoftmax();
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(0, 10, 0.35, 32))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(512, 1, 0.35, 32))).key());
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(512, 10, -0.1, 32))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(512, 10, 0.35, 0))).key());
    }
}
