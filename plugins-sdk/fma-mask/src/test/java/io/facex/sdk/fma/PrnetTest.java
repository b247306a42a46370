package io.facex.sdk.fma;

import io.facex.api.InvalidConfigException;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PRNet against FMA-3D's own module under PyTorch ({@link PrnetFixture}): the parameter count, the
 * output on the fixture's crop, and the refusals of a file that is not its state dict.
 */
class PrnetTest {

    @TempDir
    static Path dir;
    static Path weights;
    static Prnet.Loaded net;

    @BeforeAll
    static void load() throws IOException {
        weights = PrnetFixture.write(dir.resolve("prnet.npz"));
        net = Prnet.Loaded.load(weights);
    }

    @AfterAll
    static void release() {
        net.close();
    }

    /** PyTorch's {@code sum(p.numel() for p in PRNet().parameters())}, both variants of each layer included. */
    @Test
    void parameterCountIsPytorchs() {
        assertEquals(26_608_050, Prnet.parameterCount(net.block()));
    }

    @Test
    void positionMapIsPytorchs() {
        float[] expected = PrnetFixture.io().require("output").toFloatArray();
        long t0 = System.nanoTime();
        float[] ours = net.run(PrnetFixture.input());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(expected.length, ours.length);
        double max = 0, spread = 0, mean = 0, meanDiff = 0;
        for (int i = 0; i < ours.length; i++) {
            max = Math.max(max, Math.abs(ours[i] - expected[i]));
            meanDiff += Math.abs(ours[i] - expected[i]) / ours.length;
            mean += expected[i] / expected.length;
        }
        for (float v : expected) {
            spread += (v - mean) * (v - mean) / expected.length;
        }
        System.out.printf("PRNet: max |diff| %.3g, mean %.3g over %d outputs (sd %.3f), forward %d ms%n", max, meanDiff,
                ours.length, Math.sqrt(spread), ms);
        assertTrue(Math.sqrt(spread) > 0.1, "the fixture's outputs should spread, not saturate");
        // float32 through 27 blocks; 2e-4 of the sigmoid is 0.06 crop pixels of the position map
        assertTrue(max < 2e-4, "max |diff| " + max);
    }

    @Test
    void missingKeyIsNamedWithTheFile() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>(PrnetFixture.stateDict());
        sd.remove("decoder_block_5.bn.running_var");
        Path file = dir.resolve("lacking.npz");
        Npz.write(file, new StateDict(file.toString(), sd));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> Prnet.Loaded.load(file));
        assertTrue(e.getMessage().contains("lacking.npz") && e.getMessage().contains("decoder_block_5.bn.running_var"),
                e.getMessage());
    }

    @Test
    void wrongShapeIsNamedWithTheFile() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>(PrnetFixture.stateDict());
        sd.put("encoder_block_3.conv1.weight", Tensor.ofFloats(new float[32 * 32 * 9], 32, 32, 3, 3));
        Path file = dir.resolve("wrong.npz");
        Npz.write(file, new StateDict(file.toString(), sd));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> Prnet.Loaded.load(file));
        assertTrue(e.getMessage().contains("wrong.npz") && e.getMessage().contains("encoder_block_3.conv1.weight"),
                e.getMessage());
    }

    @Test
    void truncatedFileIsNamed() throws IOException {
        Path file = dir.resolve("truncated.npz");
        byte[] all = Files.readAllBytes(weights);
        Files.write(file, Arrays.copyOf(all, all.length / 3));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> Prnet.Loaded.load(file));
        assertTrue(e.getMessage().contains("truncated.npz"), e.getMessage());
    }
}
