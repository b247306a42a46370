package io.facex.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NumpyTest {

    @TempDir
    Path tmp;

    @Test
    void readsWhatNumpyWrites() throws Exception {
        Tensor fortran = Npy.read(Resources.path("crafted/fortran_f8.npy"));
        assertEquals(DType.FLOAT64, fortran.dtype());
        assertArrayEquals(new long[] {2, 3}, fortran.shape());
        assertArrayEquals(new double[] {0.25, 1.25, 2.25, 3.25, 4.25, 5.25}, fortran.toDoubleArray());

        Tensor bigEndian = Npy.read(Resources.path("crafted/big_endian_i4.npy"));
        assertEquals(DType.INT32, bigEndian.dtype());
        assertArrayEquals(new long[] {1, -2, 300000, -4}, bigEndian.toLongArray());

        Tensor half = Npy.read(Resources.path("crafted/half.npy"));
        assertEquals(DType.FLOAT16, half.dtype());
        float[] h = half.toFloatArray();
        assertEquals(1.0f, h[0]);
        assertEquals(-0.5f, h[1]);
        assertEquals(65504f, h[2]);
        assertEquals(5.9604645e-8f, h[3]); // the subnormal nearest 6e-8

        Tensor scalar = Npy.read(Resources.path("crafted/scalar_i8.npy"));
        assertEquals(0, scalar.rank());
        assertArrayEquals(new long[] {42}, scalar.toLongArray());

        assertArrayEquals(new long[] {1, 0, 1}, Npy.read(Resources.path("crafted/bool.npy")).toLongArray());
        assertEquals(DType.BOOL, Npy.read(Resources.path("crafted/bool.npy")).dtype());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Npy.read(Resources.path("crafted/version2_f4.npy")).toFloatArray());
    }

    @Test
    void compressedNpz() throws Exception {
        StateDict sd = Weights.load(Resources.path("crafted/compressed.npz"));
        assertArrayEquals(new long[] {10, 100}, sd.require("w").shape());
        assertEquals(999f, sd.require("w").toFloatArray()[999]);
        assertArrayEquals(new long[] {0, 1, 2}, sd.require("b").toLongArray());
    }

    @Test
    void objectArraysAreRefused() {
        WeightsException e = assertThrows(WeightsException.class,
                () -> Weights.load(Resources.path("crafted/object_array.npz")));
        assertTrue(e.getMessage().contains("object_array.npz (entry bad.npy)"), e.getMessage());
        assertTrue(e.getMessage().contains("object array"), e.getMessage());
    }

    @Test
    void npyRoundTripForEveryNumpyType() throws Exception {
        Map<String, Tensor> cases = new LinkedHashMap<>();
        cases.put("features", Tensor.ofFloats(new float[] {1.5f, -2f, 3.25f, Float.NaN, 0f, -0f}, 2, 3));
        cases.put("double", Tensor.ofDoubles(new double[] {Math.PI}, 1));
        cases.put("steps", Tensor.ofLongs(new long[] {Long.MIN_VALUE, 7}, 2));
        cases.put("scalar", Tensor.ofLongs(new long[] {5}));
        cases.put("empty", Tensor.ofFloats(new float[0], 0, 512));
        cases.put("bytes", Tensor.of(DType.UINT8, new long[] {3}, new byte[] {0, 127, (byte) 255}));
        cases.put("half", Tensor.of(DType.FLOAT16, new long[] {2}, new byte[] {0, 0x3c, 0, (byte) 0xc0}));
        for (Map.Entry<String, Tensor> c : cases.entrySet()) {
            Path file = tmp.resolve(c.getKey() + ".npy");
            Npy.write(file, c.getValue());
            assertEquals(c.getValue(), Npy.read(file), c.getKey());
            assertEquals(c.getValue(), Weights.load(file).require(c.getKey()), c.getKey());
            byte[] bytes = Files.readAllBytes(file);
            int headerEnd = 10 + ((bytes[8] & 0xff) | (bytes[9] & 0xff) << 8);
            assertEquals(0, headerEnd % 64, "NumPy aligns the data to 64 bytes");
            assertEquals('\n', bytes[headerEnd - 1]);
        }
        assertArrayEquals(new float[] {1, -2}, Npy.read(tmp.resolve("half.npy")).toFloatArray());
    }

    @Test
    void writerHeaderIsWhatNumpyExpects() throws Exception {
        Path file = tmp.resolve("emb.npy");
        Npy.writeFloats(file, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        byte[] bytes = Files.readAllBytes(file);
        String header = new String(bytes, 10, 118, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.strip());
        float[] data = new float[6];
        ByteBuffer.wrap(bytes, 128, 24).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, data);
        assertEquals(128 + 24, bytes.length);
    }

    @Test
    void npzRoundTrip() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv.weight", Tensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        m.put("bn.num_batches_tracked", Tensor.ofLongs(new long[] {12}));
        Path file = tmp.resolve("w.npz");
        Npz.write(file, new StateDict("mem", m));
        StateDict back = Weights.load(file);
        assertEquals(m, back.asMap());
        assertEquals("w.npz", back.source());
    }

    @Test
    void malformedHeadersNameTheFile() throws Exception {
        String[] headers = {
            "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,",
            "__import__('os').system('ls')",
        };
        for (int i = 0; i < headers.length; i++) {
            byte[] h = (headers[i] + "\n").getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer b = ByteBuffer.allocate(10 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.put(Npy.MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
            Path file = tmp.resolve("h" + i + ".npy");
            Files.write(file, b.array());
            WeightsException e = assertThrows(WeightsException.class, () -> Weights.load(file), headers[i]);
            assertTrue(e.getMessage().contains("h" + i + ".npy"), e.getMessage());
        }
    }
}
