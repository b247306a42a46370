package io.facex.weights;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateDictTest {

    private static Tensor t(float v) {
        return Tensor.ofFloats(new float[] {v}, 1);
    }

    @Test
    void prefixesOfFacexZooAndDataParallel() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("module.backbone.conv1.weight", t(1));
        m.put("backbone.module.bn.weight", t(2));
        m.put("module.head.weight", t(3));
        StateDict sd = new StateDict("ckpt.pt", m, Map.of("epoch", 4L));

        StateDict backbone = sd.backbone();
        assertEquals(List.of("conv1.weight", "bn.weight"), List.copyOf(backbone.keys()));
        assertEquals(t(1), backbone.require("conv1.weight"));
        assertEquals(4L, backbone.extra("epoch").orElseThrow());
        assertEquals(List.of("weight"), List.copyOf(sd.head().keys()));
        assertEquals(List.of("weight"), List.copyOf(sd.select("backbone.conv1").keys()));

        StateDict featNet = new StateDict("f.pt", Map.of("feat_net.fc.bias", t(5)));
        assertEquals(List.of("fc.bias"), List.copyOf(featNet.backbone().keys()));

        StateDict bare = new StateDict("b.pt", Map.of("module.fc.bias", t(6)));
        assertEquals(List.of("fc.bias"), List.copyOf(bare.backbone().keys()));

        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> sd.require("nope"));
        assertTrue(e.getMessage().contains("ckpt.pt") && e.getMessage().contains("nope"));
    }

    @Test
    void prefixCollisionIsReported() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("module.backbone.w", t(1));
        m.put("backbone.w", t(2));
        assertThrows(IllegalStateException.class, () -> new StateDict("x.pt", m).backbone());
    }

    @Test
    void conversionsBetweenTypes() {
        Tensor longs = Tensor.ofLongs(new long[] {3, -4}, 2);
        assertArrayEquals(new float[] {3, -4}, longs.toFloatArray());
        assertArrayEquals(new long[] {1, -2}, Tensor.ofFloats(new float[] {1.9f, -2.9f}, 2).toLongArray());
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0f},
                Tensor.of(DType.FLOAT16, new long[] {2}, new byte[] {0, 0x7c, 0, 0}).toFloatArray());
        assertEquals(-128f, Tensor.of(DType.INT8, new long[] {1}, new byte[] {(byte) 0x80}).toFloatArray()[0]);
        assertEquals(255f, Tensor.of(DType.UINT8, new long[] {1}, new byte[] {(byte) 0xff}).toFloatArray()[0]);
        assertEquals("(64, 3, 3, 3)", Tensor.shapeString(new long[] {64, 3, 3, 3}));
        assertEquals("(512,)", Tensor.shapeString(new long[] {512}));
        assertEquals("()", Tensor.shapeString(new long[0]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.FLOAT32, new long[] {2}, new byte[4]));
        assertNotEquals(Tensor.ofFloats(new float[] {1}, 1), Tensor.ofFloats(new float[] {1}));
    }
}
