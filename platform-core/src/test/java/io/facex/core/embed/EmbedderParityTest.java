package io.facex.core.embed;

import io.facex.backbone.mobilefacenet.MobileFaceNet;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.WeightsMismatchException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FaceX-Zoo's own MobileFaceNet weights (a checkpoint exactly as its conventional training writes it)
 * and its own output for a fixed input: ours must agree to 1e-4 relative.
 */
class EmbedderParityTest {

    /** Fixtures live with the weights module, which owns the file formats. */
    static final Path FIXTURES = Path.of("../platform-weights/src/test/resources/fixtures");

    @Test
    void facexZooCheckpointGivesFacexZoosFeatures() throws Exception {
        StateDict io = Npz.read(FIXTURES.resolve("mobilefacenet_io.npz"));
        float[] input = io.require("input").toFloatArray();
        float[] expected = io.require("output").toFloatArray();
        MobileFaceNet net = new MobileFaceNet();
        for (String file : new String[] {"facexzoo_mobilefacenet_mv_epoch0.pt", "mobilefacenet_state_dict.npz"}) {
            try (Embedder<MobileFaceNet.Config> e = new Embedder<>(net, net.defaultConfig(), FIXTURES.resolve(file))) {
                float[] out = e.embed(input, 2, false);
                assertEquals(expected.length, out.length);
                double maxRel = 0;
                double scale = 0;
                for (float v : expected) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < out.length; i++) {
                    maxRel = Math.max(maxRel, Math.abs(out[i] - expected[i]) / scale);
                }
                assertTrue(maxRel < 1e-4, file + ": max relative difference " + maxRel);
                float[] unit = e.embed(input, 2, true);
                double n = 0;
                for (int i = 0; i < 512; i++) {
                    n += unit[i] * unit[i];
                }
                assertEquals(1.0, n, 1e-5);
            }
        }
    }

    @Test
    void weightsOfAnotherShapeAreRefusedByName() {
        MobileFaceNet net = new MobileFaceNet();
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> new Embedder<>(net,
                new MobileFaceNet.Config(128, 7, 7), FIXTURES.resolve("facexzoo_mobilefacenet_mv_epoch0.pt")));
        assertTrue(e.getMessage().contains("linear.weight"), e.getMessage());
    }
}
