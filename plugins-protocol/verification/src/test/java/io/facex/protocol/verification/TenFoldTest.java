package io.facex.protocol.verification;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TenFoldTest {

    /** The spec's §5.2 golden check, measured with FaceX-Zoo's evaluator. */
    @Test
    void matchesFaceXZooToTheLastPrintedDigit() {
        float[] scores = new float[6000];
        boolean[] same = new boolean[6000];
        for (int k = 0; k < 6000; k++) {
            same[k] = k % 600 < 300;
            scores[k] = (float) (Math.sin(0.37 * k) * 0.5 + (same[k] ? 0.3 : -0.1));
        }
        TenFold.Result r = TenFold.evaluate(scores, same);
        assertEquals("0.7186666667", String.format("%.10f", r.mean()));
        assertEquals("0.0023934066", String.format("%.10f", r.stdError()));
    }

    @Test
    void separableScoresArePerfectAndTiesCountAsWrong() {
        float[] scores = new float[20];
        boolean[] same = new boolean[20];
        for (int k = 0; k < 20; k++) {
            same[k] = k % 2 == 0;
            scores[k] = same[k] ? 0.9f : 0.1f;
        }
        assertEquals(1.0, TenFold.evaluate(scores, same).mean(), 1e-12);
        java.util.Arrays.fill(scores, 0.5f);
        assertEquals(0.0, TenFold.evaluate(scores, same).mean(), 1e-12);
    }

    @Test
    void refusesPairCountsThatDoNotSplitIntoTenFolds() {
        assertThrows(IllegalArgumentException.class, () -> TenFold.evaluate(new float[15], new boolean[15]));
    }
}
