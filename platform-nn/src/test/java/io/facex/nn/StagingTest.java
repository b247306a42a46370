package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StagingTest {

    @Test
    void copiesTheRequestedValuesFromTheOffset() {
        Staging staging = new Staging();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = {9, 9, 1, 2, 3, 4, 5, 6, 9};
            NDArray x = staging.floats(m, values, 2, new Shape(1, 2, 3));
            assertEquals(new Shape(1, 2, 3), x.getShape());
            assertEquals(DataType.FLOAT32, x.getDataType());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, x.toFloatArray());
            NDArray y = staging.longs(m, new long[] {7, -1, 3}, new Shape(2));
            assertEquals(DataType.INT64, y.getDataType());
            assertArrayEquals(new long[] {7, -1}, y.toLongArray());
        }
    }

    /** The buffer is reused for every call: a tensor handed out earlier must not see the next call's values. */
    @Test
    void aTensorKeepsItsValuesWhenTheBufferIsReusedOrGrown() {
        Staging staging = new Staging();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = staging.floats(m, new float[] {1, 2, 3, 4}, 0, new Shape(4));
            NDArray b = staging.floats(m, new float[] {5, 6}, 0, new Shape(2));
            NDArray c = staging.floats(m, new float[] {7, 8, 9, 10, 11, 12, 13, 14}, 0, new Shape(2, 4));
            NDArray d = staging.longs(m, new long[] {-5, -6, -7}, new Shape(3));
            assertArrayEquals(new float[] {1, 2, 3, 4}, a.toFloatArray());
            assertArrayEquals(new float[] {5, 6}, b.toFloatArray());
            assertArrayEquals(new float[] {7, 8, 9, 10, 11, 12, 13, 14}, c.toFloatArray());
            assertArrayEquals(new long[] {-5, -6, -7}, d.toLongArray());
            a.addi(b.sum()); // a tensor of its own, writable without touching the others
            assertArrayEquals(new float[] {12, 13, 14, 15}, a.toFloatArray());
            assertArrayEquals(new float[] {5, 6}, b.toFloatArray());
        }
    }

    @Test
    void refusesTooFewValuesAndANegativeOffset() {
        Staging staging = new Staging();
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> staging.floats(m, new float[5], 1, new Shape(1, 5)));
            assertTrue(e.getMessage().contains("(1, 5)") && e.getMessage().contains("got 4"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> staging.floats(m, new float[5], -1, new Shape(2)));
            assertThrows(IllegalArgumentException.class, () -> staging.longs(m, new long[1], new Shape(2)));
        }
    }
}
