package io.facex.testkit;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fill function against the spec's own check values (§1.13, step 3). */
class GoldenForwardTest {

    @Test
    void hashAndFirstValuesAreTheSpecs() {
        assertEquals(5320, GoldenForward.hash("conv1.conv.weight"));
        float[] w = GoldenForward.fill("conv1.conv.weight", new Shape(64, 3, 3, 3));
        double scale = Math.sqrt(3.0 / 27);
        assertEquals(0.17132367, (w[0] / scale + 1) / 2, 1e-6);
        assertEquals(0.94667427, (w[1] / scale + 1) / 2, 1e-6);
        assertEquals(0.49207173, (w[2] / scale + 1) / 2, 1e-6);
    }
}
