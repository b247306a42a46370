package io.facex.head.magface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.testkit.HeadContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/MagFace.py} (PyTorch 1.13, float32):
 * {@code fixtures/magface.npz} holds, for feat_dim 8, 5 classes, 4 faces, s 64, margin_am 0.1 (so the
 * fallback shows), the weight, its logits, λ·g ({@code extra}), loss (cross-entropy plus mean λ·g) and
 * both gradients. The feature norms are 5, 30, 200 and 60: below l_a, inside, above u_a (the clamp stops
 * the magnitude's gradient) and inside; the last row lies nearly opposite its class column, so its
 * target takes the fallback c − margin_am.
 */
class MagFaceTest extends HeadContract<MagFace.Config> {

    MagFaceTest() {
        super(new MagFace());
    }

    @Override
    protected MagFace.Config testConfig() {
        return new MagFace.Config(8, 5, 0.1, 64, 10, 110, 0.45, 0.8, 20);
    }

    @Override
    protected String faceXZooFixture() {
        return "magface.npz";
    }

    @Override
    protected boolean renormInitialised() {
        return true;
    }

    private static final float[] GOLDEN_CLASSES = {0.5f, -0.2f, 0.9f, 0.1f, 0.8f, 0.3f, 0.7f, 0.1f, -0.4f, 0.2f, -0.5f, 0.6f};
    private static final long[] GOLDEN_LABELS = {2, 0, 1};

    /**
     * The spec's golden case (§2) with its features' rows × 5, × 30 and × 200 (magnitudes below, inside
     * and above [l_a, u_a]), at the yaml's values: its logits to 1e-4 and λ·g. The kit's golden check
     * uses the unscaled features, on which every magnitude is clamped to l_a, so it is stated here.
     */
    @Test
    void goldenLogitsAndMarginTermAreFaceXZoos() {
        MagFace.Config c = new MagFace.Config(4, 3, 0.0, 64, 10, 110, 0.45, 0.8, 20);
        MagFace.Rule b = (MagFace.Rule) new MagFace().build(c, new HeadSize(4, 3));
        float[] feats = {1, 2, 3, 4, -1, 0.5f, 2, -0.3f, 0.3f, -0.2f, 0.1f, 0.9f};
        float[] rowScale = {5, 30, 200};
        for (int i = 0; i < feats.length; i++) {
            feats[i] *= rowScale[i / 4];
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(GOLDEN_LABELS);
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            b.classMatrix().getArray().set(GOLDEN_CLASSES);
            NDList out = b.forward(new ParameterStore(m, false), new NDList(m.create(feats, new Shape(3, 4)), labels), false);
            assertArrayEquals(new float[] {47.326923f, -3.615569f, -5.392944f, -13.308165f, 27.137451f, -40.207890f,
                28.072962f, -44.699043f, 39.123020f}, out.get(0).toFloatArray(), 1e-4f, "the spec's golden logits");
            assertEquals(new Shape(3, 1), out.get(1).getShape());
            assertArrayEquals(new float[] {0.775563f, 0.403082f, 0.363636f}, out.get(1).toFloatArray(), 1e-5f, "λ·g");
            assertEquals(out.get(1).getShape(), b.getOutputShapes(new Shape[] {new Shape(3, 4), new Shape(3)})[1]);
        }
    }

    /** FaceX-Zoo's {@code MagFace:} section of head_conf.yaml, as written there, binds to the defaults. */
    @Test
    void bindsFaceXZoosYamlSection(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("head_conf.yaml");
        Files.writeString(file, """
                MagFace:
                    feat_dim: 512
                    num_class: 72778
                    margin_am: 0.0
                    scale: 64
                    l_a: 10
                    u_a: 110
                    l_margin: 0.45
                    u_margin: 0.8
                    lamda: 20
                """);
        MagFace head = new MagFace();
        assertEquals(head.defaultConfig(), Configs.bind(head, ConfigDocument.read(file), "MagFace"));
    }

    @Test
    void rejectsBadConfigNamingTheKey() {
        MagFace a = new MagFace();
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(0, 10, 0, 64, 10, 110, 0.45, 0.8, 20))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 1, 0, 64, 10, 110, 0.45, 0.8, 20))).key());
        assertEquals("margin_am", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 10, -0.1, 64, 10, 110, 0.45, 0.8, 20))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 10, 0, 0, 10, 110, 0.45, 0.8, 20))).key());
        assertEquals("l_a", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 10, 0, 64, 0, 110, 0.45, 0.8, 20))).key());
        assertEquals("u_a", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 10, 0, 64, 10, 10, 0.45, 0.8, 20))).key());
        assertEquals("l_margin", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 10, 0, 64, 10, 110, -0.1, 0.8, 20))).key());
        assertEquals("u_margin", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 10, 0, 64, 10, 110, 0.45, 4, 20))).key());
        assertEquals("lamda", assertThrows(InvalidConfigException.class,
                () -> a.validate(new MagFace.Config(512, 10, 0, 64, 10, 110, 0.45, 0.8, -1))).key());
    }
}
