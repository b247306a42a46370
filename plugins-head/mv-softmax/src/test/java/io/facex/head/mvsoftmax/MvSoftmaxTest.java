package io.facex.head.mvsoftmax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.facex.api.InvalidConfigException;
import io.facex.testkit.HeadContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The head contract, and the spec's §2 golden values, measured with FaceX-Zoo's head code (float32,
 * feat_dim 4, 3 classes).
 */
class MvSoftmaxTest extends HeadContract<MvSoftmax.Config> {

    MvSoftmaxTest() {
        super(new MvSoftmax());
    }

    @Override
    protected boolean renormInitialised() {
        return true;
    }

    private static final float[] FEATS = {1, 2, 3, 4, -1, 0.5f, 2, -0.3f, 0.3f, -0.2f, 0.1f, 0.9f};
    private static final float[] W = {0.5f, -0.2f, 0.9f, 0.1f, 0.8f, 0.3f, 0.7f, 0.1f, -0.4f, 0.2f, -0.5f, 0.6f};
    private static final long[] LABELS = {2, 0, 1};

    private static float[] logits(int isAm, NDManager m) {
        MvSoftmax head = new MvSoftmax();
        Block b = head.build(new MvSoftmax.Config(4, 3, isAm, 0.35, 1.12, 32), new io.facex.api.HeadSize(4, 3));
        b.initialize(m, DataType.FLOAT32, new Shape(3, 4), new Shape(3));
        b.getParameters().get("weight").getArray().set(W);
        NDList in = new NDList(m.create(FEATS, new Shape(3, 4)), m.create(LABELS));
        return b.forward(new ParameterStore(m, false), in, false).singletonOrThrow().toFloatArray();
    }

    @Test
    void amFormMatchesFaceXZoo() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {30.343075f, -1.807786f, 2.037592f, 2.666146f, 19.036972f, -20.103945f,
                19.560860f, -22.349520f, 25.748894f}, logits(1, m), 2e-5f);
        }
    }

    @Test
    void arcFormMatchesFaceXZoo() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {30.343075f, -1.807786f, 2.445188f, 3.136399f, 19.036972f, -20.103945f,
                19.560860f, -22.349520f, 25.748894f}, logits(0, m), 2e-5f);
        }
    }

    @Test
    void crossEntropyOfTheGoldenLogits() {
        // CE = mean_i(logsumexp_j z_ij − z_i,y_i) over the AM logits above, computed in double.
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(logits(1, m), new Shape(3, 3));
            float loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(m.create(LABELS)), new NDList(z)).getFloat();
            assertEquals(30.925592, loss, 1e-4);
        }
    }

    @Test
    void gradientsReachTheClassMatrix() {
        MvSoftmax head = new MvSoftmax();
        Block b = head.build(new MvSoftmax.Config(4, 3, 1, 0.35, 1.12, 32), new io.facex.api.HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), new Shape(3));
            try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray z = b.forward(new ParameterStore(m, true),
                        new NDList(m.create(FEATS, new Shape(3, 4)), m.create(LABELS)), true).singletonOrThrow();
                gc.backward(Loss.softmaxCrossEntropyLoss().evaluate(new NDList(m.create(LABELS)), new NDList(z)));
            }
            NDArray g = b.getParameters().get("weight").getArray().getGradient();
            assertEquals(new Shape(4, 3), g.getShape());
            assertEquals(true, g.abs().sum().getFloat() > 0);
        }
    }

    @Test
    void rejectsBadConfig() {
        MvSoftmax mv = new MvSoftmax();
        assertEquals("is_am", assertThrows(InvalidConfigException.class,
                () -> mv.validate(new MvSoftmax.Config(512, 10, 2, 0.35, 1.12, 32))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> mv.validate(new MvSoftmax.Config(512, 1, 1, 0.35, 1.12, 32))).key());
    }
}
