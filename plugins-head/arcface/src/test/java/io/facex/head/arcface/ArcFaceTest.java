package io.facex.head.arcface;

import io.facex.api.InvalidConfigException;
import io.facex.testkit.HeadContract;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Override
    protected String faceXZooFixture() {
        return "arcface.npz";
    }

    @Override
    protected Golden<ArcFace.Config> faceXZooGolden() {
        return new Golden<>(new ArcFace.Config(4, 3, 0.35, 0.0, 32), new float[] {
            23.663460f, -1.807786f, 2.445188f, 3.136399f, 13.568726f, -20.103945f, 14.036480f, -28.847555f, 19.561510f});
    }

    @Override
    protected boolean renormInitialised() {
        return true;
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
