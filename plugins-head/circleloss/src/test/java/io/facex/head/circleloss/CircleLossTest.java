package io.facex.head.circleloss;

import io.facex.api.InvalidConfigException;
import io.facex.testkit.HeadContract;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Override
    protected String faceXZooFixture() {
        return "circleloss.npz";
    }

    @Override
    protected Golden<CircleLoss.Config> faceXZooGolden() {
        return new Golden<>(new CircleLoss.Config(4, 3, 0.25, 256), new float[] {
            123.989830f, -15.182979f, -72.006996f, -66.209167f, 30.027578f, -0.000000f, 33.255692f, -722.467529f, 79.663170f});
    }

    @Override
    protected boolean renormInitialised() {
        return true;
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
