package io.facex.weights;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointTest {

    private static StateDict checkpoint;

    @BeforeAll
    static void loadFixture() throws Exception {
        checkpoint = Weights.load(Resources.path(Resources.CHECKPOINT));
    }

    @Test
    void facexZooTrainingCheckpointLoads() {
        assertEquals(334, checkpoint.size(), "333 backbone tensors + head.weight");
        assertEquals(333, checkpoint.keys().stream().filter(k -> k.startsWith("backbone.")).count());
        assertEquals("backbone.conv1.conv.weight", checkpoint.keys().iterator().next(), "file order is kept");
        assertArrayEquals(new long[] {64, 3, 3, 3}, checkpoint.require("backbone.conv1.conv.weight").shape());
        assertArrayEquals(new long[] {512, 1000}, checkpoint.require("head.weight").shape());
        assertEquals(DType.FLOAT32, checkpoint.require("head.weight").dtype());

        Tensor tracked = checkpoint.require("backbone.conv1.bn.num_batches_tracked");
        assertEquals(DType.INT64, tracked.dtype());
        assertEquals(0, tracked.rank());
        assertEquals(1, tracked.numel());

        assertEquals(Map.of("epoch", 0L, "batch_id", 0L), checkpoint.extras());
    }

    @Test
    void backboneTensorsEqualTheNpzExport() throws Exception {
        StateDict npz = Weights.load(Resources.path(Resources.BACKBONE_NPZ));
        StateDict backbone = checkpoint.backbone();
        assertEquals(333, npz.size());
        assertEquals(npz.keys().stream().toList(), backbone.keys().stream().toList());
        for (String key : npz.keys()) {
            // Tensor.equals compares dtype, shape and every byte: exact, not approximate.
            assertEquals(npz.get(key), backbone.get(key), key);
        }
        assertEquals(backbone.require("conv1.conv.weight"), checkpoint.require("backbone.conv1.conv.weight"));
        StateDict head = checkpoint.head();
        assertEquals(1, head.size());
        assertTrue(head.contains("weight"));
    }

    @Test
    void formatIsDetectedFromContentNotExtension(@TempDir Path tmp) throws Exception {
        Path misnamed = tmp.resolve("weights.npz");
        Files.copy(Resources.path("crafted/strided_p2.pt"), misnamed);
        assertEquals(WeightsFormat.TORCH_ZIP, WeightsFormat.detect(misnamed));
        assertEquals(7, Weights.load(misnamed).size());

        Path npzAsPt = tmp.resolve("model.pt");
        Files.copy(Resources.path(Resources.IO_NPZ), npzAsPt);
        assertEquals(WeightsFormat.NPZ, WeightsFormat.detect(npzAsPt));
        StateDict io = Weights.load(npzAsPt);
        assertArrayEquals(new long[] {2, 3, 112, 112}, io.require("input").shape());
        assertArrayEquals(new long[] {2, 512}, io.require("output").shape());
    }

    @Test
    void stridedViewsSharedStoragesAndAllPickleProtocols() throws Exception {
        StateDict expected = Weights.load(Resources.path("crafted/strided_expected.npz"));
        for (String file : new String[] {"crafted/strided_p2.pt", "crafted/strided_p5.pt", "crafted/big_endian.pt"}) {
            StateDict sd = Weights.load(Resources.path(file)); // p5 uses FRAME, MEMOIZE, STACK_GLOBAL, BUILD
            assertEquals(expected.keys().stream().toList(), sd.keys().stream().toList(), file);
            for (String key : expected.keys()) {
                assertEquals(expected.get(key), sd.get(key), file + " " + key);
            }
            assertEquals(3L, sd.extras().get("epoch"));
            assertEquals(1200L, sd.extras().get("batch_id"));
            assertEquals(0.1, sd.extras().get("lr"));
            assertEquals("crafted", sd.extras().get("note"));
        }
        Tensor transposed = Weights.load(Resources.path("crafted/strided_p5.pt")).require("rows_t.weight");
        assertArrayEquals(new float[] {-2, 0, 2, -1.5f, 0.5f, 2.5f, -1, 1, 3, -0.5f, 1.5f, 3.5f},
                transposed.toFloatArray());
        assertFalse(Strided.isContiguous(new long[] {4, 3}, new long[] {1, 4}));
    }
}
