package io.facex.head.arcnegface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.nn.CosineClassifier;
import io.facex.testkit.HeadContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/ArcNegFace.py} (float32, feat_dim 8, 5
 * classes, batch 4): logits, cross-entropy and both gradients from {@code fixtures/arcnegface.npz}. Row 2
 * is its class vector negated (target cosine −1, fallback branch); row 3 lies near its class vector.
 * Features and class matrix are FaceX-Zoo's initial draw scaled by 32: a power of two leaves every cosine
 * and logit bit for bit as at unit scale and divides both gradients by 32. At unit scale one ulp of acos or
 * cos in a target logit (libtorch 1.13 there, DJL's 2.7 here) moves a balanced row's softmax enough that,
 * times s = 64, the gradients differ by up to 7e-5; the head's own backward agrees to 4e-6.
 */
class ArcNegFaceTest extends HeadContract<ArcNegFace.Config> {

    private static final ArcNegFace.Config SMALL = new ArcNegFace.Config(8, 5, 0.5, 64);

    ArcNegFaceTest() {
        super(new ArcNegFace());
    }

    @Override
    protected ArcNegFace.Config testConfig() {
        return SMALL;
    }

    @Override
    protected String faceXZooFixture() {
        return "arcnegface.npz";
    }

    @Override
    protected Golden<ArcNegFace.Config> faceXZooGolden() {
        return new Golden<>(new ArcNegFace.Config(4, 3, 0.5, 64), new float[] {
            32.001602f, 8.450905f, -4.700615f, -3.315626f, 33.659180f, -39.819824f, -22.223469f, -61.186649f, -27.767044f});
    }

    @Test
    void weightIsOneClassPerRowDrawnFromUniformOneOverRootFeatDim() {
        int featDim = 64;
        Block b = new ArcNegFace().build(new ArcNegFace.Config(featDim, 500, 0.5, 64), new HeadSize(featDim, 500));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, featDim), new Shape(2));
            assertTrue(((CosineClassifier) b).classesFirst());
            NDArray w = b.getParameters().get("weight").getArray();
            assertEquals(new Shape(500, featDim), w.getShape());
            float bound = (float) (1 / Math.sqrt(featDim));
            assertTrue(w.abs().max().getFloat() <= bound, "every entry within ±1/√feat_dim");
            // U(−b, b): max near b, mean 0, variance b²/3
            assertEquals(bound, w.abs().max().getFloat(), bound * 0.01);
            assertEquals(0.0, w.mean().getFloat(), 1e-3);
            assertEquals(bound / Math.sqrt(3), w.square().mean().sqrt().getFloat(), bound * 0.02);
        }
    }

    /**
     * Features along their own class vectors, scaled: some target cosines round to 1 or just above, where
     * FaceX-Zoo's acos gives NaN logits or gradients; here the logits are cos m · s and every gradient
     * is finite, so one such face cannot poison a training step.
     */
    @Test
    void targetCosineRoundingToOneGivesFiniteLogitsAndGradients() {
        int n = 64;
        Block b = new ArcNegFace().build(SMALL, new HeadSize(8, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            long[] y = new long[n];
            float[] scales = new float[n];
            java.util.Random r = new java.util.Random(3);
            float[] wv = new float[5 * 8];
            for (int k = 0; k < wv.length; k++) {
                wv[k] = (float) r.nextGaussian();
            }
            for (int i = 0; i < n; i++) {
                y[i] = i % 5;
                scales[i] = (float) Math.exp(3 * r.nextGaussian());
            }
            NDArray labels = m.create(y);
            b.initialize(m, DataType.FLOAT32, new Shape(n, 8), labels.getShape());
            NDArray w = b.getParameters().get("weight").getArray();
            w.set(wv);
            NDArray x = w.get(labels).mul(m.create(scales, new Shape(n, 1)));
            // the target cosines as the base computes them
            NDArray xn = x.div(x.norm(new int[] {1}, true).maximum(1e-12f));
            NDArray wn = w.div(w.norm(new int[] {1}, true).maximum(1e-12f));
            NDArray g = xn.matMul(wn.transpose()).gather(labels.reshape(-1, 1), 1);
            assertTrue(g.gt(1f).any().getBoolean(), "some target cosine rounds above 1: " + java.util.Arrays.toString(g.toFloatArray()));
            x.setRequiresGradient(true);
            NDArray z;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                z = b.forward(new ParameterStore(m, false), new NDList(x, labels), true).get(0);
                gc.backward(ai.djl.training.loss.Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(z)));
            }
            for (float v : x.getGradient().toFloatArray()) {
                assertTrue(Float.isFinite(v), "a feature gradient is not finite");
            }
            for (float v : w.getGradient().toFloatArray()) {
                assertTrue(Float.isFinite(v), "a class-vector gradient is not finite");
            }
            float[] logits = z.toFloatArray();
            for (float v : logits) {
                assertTrue(Float.isFinite(v), "a logit is not finite");
            }
            for (int i = 0; i < n; i++) {
                // one ulp below 1 is already θ ≈ 3.5e-4, which moves s·cos(θ + m) by about 0.01
                assertEquals(Math.cos(0.5) * 64, logits[i * 5 + (int) y[i]], 0.05, "row " + i + ": target logit at θ ≈ 0");
            }
        }
    }

    @Test
    void rejectsBadConfig() {
        ArcNegFace h = new ArcNegFace();
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> h.validate(new ArcNegFace.Config(512, 10, -0.1, 64))).key());
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> h.validate(new ArcNegFace.Config(512, 10, Math.PI, 64))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> h.validate(new ArcNegFace.Config(512, 1, 0.5, 64))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> h.validate(new ArcNegFace.Config(0, 10, 0.5, 64))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> h.validate(new ArcNegFace.Config(512, 10, 0.5, 0))).key());
    }
}
