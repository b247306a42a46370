package io.facex.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SafetensorsTest {

    @TempDir
    Path tmp;

    @Test
    void readsAFileWrittenFromTheSpec() throws Exception {
        Path file = Resources.path("crafted/handmade.safetensors");
        assertEquals(WeightsFormat.SAFETENSORS, WeightsFormat.detect(file));
        StateDict sd = Weights.load(file);
        assertEquals(List.of("b", "a", "c"), List.copyOf(sd.keys()), "data order, not header order");
        assertArrayEquals(new float[] {0.5f, 1.5f, -2f, 4f}, sd.require("b").toFloatArray());
        assertArrayEquals(new long[] {2, 2}, sd.require("b").shape());
        assertArrayEquals(new long[] {1, -2, 3}, sd.require("a").toLongArray());
        assertEquals(DType.FLOAT16, sd.require("c").dtype());
        assertArrayEquals(new float[] {1f, -2f}, sd.require("c").toFloatArray());
        assertEquals(Map.of("format", "pt", "source", "crafted \u00e9"), sd.extras());
    }

    @Test
    void roundTripKeepsTensorsAndStringMetadata() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv1.conv.weight", Tensor.ofFloats(new float[] {1, -2, 3, 4.5f, 5, 6}, 2, 1, 3));
        m.put("conv1.bn.num_batches_tracked", Tensor.ofLongs(new long[] {3}));
        m.put("weird \"key\"\n", Tensor.ofDoubles(new double[] {1e-300}, 1));
        m.put("empty", Tensor.ofFloats(new float[0], 0));
        m.put("bf16", Tensor.of(DType.BFLOAT16, new long[] {2}, new byte[] {(byte) 0x80, 0x3f, 0, (byte) 0xc0}));
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("format", "pt");
        extras.put("epoch", 3L); // not a string: safetensors metadata cannot hold it
        Path file = tmp.resolve("rt.safetensors");
        Safetensors.write(file, new StateDict("mem", m, extras));

        StateDict back = Weights.load(file);
        assertEquals(m, back.asMap());
        assertEquals(Map.of("format", "pt"), back.extras());
        assertArrayEquals(new float[] {1f, -2f}, back.require("bf16").toFloatArray());

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "tensors start 8-byte aligned");
    }
}
