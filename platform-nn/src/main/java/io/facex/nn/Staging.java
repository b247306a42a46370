package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies Java arrays into tensors that libtorch owns, through one direct buffer that is kept and reused.
 *
 * <p>Why not {@code manager.create(float[])}: DJL copies the values into a fresh direct buffer, and the
 * tensor views that buffer. Its native memory goes back only when the garbage collector clears the
 * buffer, and a training step allocates so little on the Java heap that a collection comes seldom: a
 * batch's worth of buffers (9.6 MB at batch 64) piled up, in the same malloc arena as libtorch's
 * activations, freed at moments that differ from run to run. Staged here, each batch costs one copy
 * into memory libtorch allocates and frees with the step, like every other tensor of the step.
 *
 * <p>One instance serves one caller at a time (the methods are synchronised); the tensors it returns
 * are independent of it.
 */
public final class Staging {

    private ByteBuffer buffer;

    /** {@code shape.size()} values of {@code values} from index {@code from} as a new float32 tensor of {@code manager}. */
    public synchronized NDArray floats(NDManager manager, float[] values, int from, Shape shape) {
        if (from < 0) {
            throw new IllegalArgumentException("offset " + from + " is negative");
        }
        int n = count(shape, values.length - from);
        ByteBuffer b = reserve(n, Float.BYTES);
        b.asFloatBuffer().put(values, from, n);
        return copy(manager, b, shape, DataType.FLOAT32);
    }

    /** The first {@code shape.size()} values of {@code values} as a new int64 tensor of {@code manager}. */
    public synchronized NDArray longs(NDManager manager, long[] values, Shape shape) {
        int n = count(shape, values.length);
        ByteBuffer b = reserve(n, Long.BYTES);
        b.asLongBuffer().put(values, 0, n);
        return copy(manager, b, shape, DataType.INT64);
    }

    private static int count(Shape shape, int available) {
        long n = shape.size();
        if (n > available) {
            throw new IllegalArgumentException("shape " + shape + " needs " + n + " values, got " + available);
        }
        return (int) n;
    }

    private ByteBuffer reserve(int n, int width) {
        int bytes = Math.multiplyExact(n, width);
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        return buffer.duplicate().clear().limit(bytes).slice().order(ByteOrder.nativeOrder());
    }

    private static NDArray copy(NDManager manager, ByteBuffer staged, Shape shape, DataType type) {
        // The view reads the staging buffer in place; duplicate() is libtorch's clone, in its own memory.
        try (NDArray view = manager.create(staged, shape, type)) {
            return view.duplicate();
        }
    }
}
