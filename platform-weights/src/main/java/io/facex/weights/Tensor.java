package io.facex.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * An immutable n-dimensional array as found in a weights file: an element type, a shape and the
 * elements in C (row-major) order, little-endian. Values can be read back converted to float, double
 * or long whatever the stored type (BatchNorm's {@code num_batches_tracked}, for one, is int64).
 */
public final class Tensor {

    private final DType dtype;
    private final long[] shape;
    private final byte[] data;

    private Tensor(DType dtype, long[] shape, byte[] data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** Wraps little-endian C-order bytes; the array is copied so the tensor stays immutable. */
    public static Tensor of(DType dtype, long[] shape, byte[] littleEndian) {
        return wrap(dtype, shape.clone(), littleEndian.clone());
    }

    /** Takes ownership of {@code littleEndian} (readers hand over freshly read buffers, no copy needed). */
    static Tensor wrap(DType dtype, long[] shape, byte[] littleEndian) {
        Objects.requireNonNull(dtype, "dtype");
        long expected = Math.multiplyExact(numel(shape), dtype.byteSize());
        if (littleEndian.length != expected) {
            throw new IllegalArgumentException("a " + dtype + " tensor of shape " + shapeString(shape)
                    + " needs " + expected + " bytes, got " + littleEndian.length);
        }
        return new Tensor(dtype, shape, littleEndian);
    }

    public static Tensor ofFloats(float[] values, long... shape) {
        ByteBuffer b = allocate(values.length, 4);
        b.asFloatBuffer().put(values);
        return wrap(DType.FLOAT32, shape.clone(), b.array());
    }

    public static Tensor ofDoubles(double[] values, long... shape) {
        ByteBuffer b = allocate(values.length, 8);
        b.asDoubleBuffer().put(values);
        return wrap(DType.FLOAT64, shape.clone(), b.array());
    }

    public static Tensor ofLongs(long[] values, long... shape) {
        ByteBuffer b = allocate(values.length, 8);
        b.asLongBuffer().put(values);
        return wrap(DType.INT64, shape.clone(), b.array());
    }

    private static ByteBuffer allocate(int count, int size) {
        return ByteBuffer.allocate(Math.multiplyExact(count, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return numel(shape);
    }

    /** The raw elements, little-endian, C order; read-only. */
    public ByteBuffer data() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The elements as float32 (widening or narrowing as a cast would). */
    public float[] toFloatArray() {
        ByteBuffer b = data();
        float[] out = new float[(int) numel()];
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().get(out);
            case BFLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Half.toFloat(b.getShort(2 * i));
                }
            }
            default -> {
                double[] d = toDoubleArray();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) d[i];
                }
            }
        }
        return out;
    }

    /** The elements as float64; exact for every stored type except int64 beyond 2^53. */
    public double[] toDoubleArray() {
        ByteBuffer b = data();
        int n = (int) numel();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case FLOAT64 -> b.getDouble(8 * i);
                case FLOAT32 -> b.getFloat(4 * i);
                case FLOAT16 -> Half.toFloat(b.getShort(2 * i));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                case INT64 -> b.getLong(8 * i);
                case INT32 -> b.getInt(4 * i);
                case INT16 -> b.getShort(2 * i);
                case INT8 -> b.get(i);
                case UINT8, BOOL -> b.get(i) & 0xff;
            };
        }
        return out;
    }

    /** The elements as int64; floating-point values are truncated toward zero like a cast. */
    public long[] toLongArray() {
        ByteBuffer b = data();
        int n = (int) numel();
        long[] out = new long[n];
        if (dtype.isFloatingPoint()) {
            double[] d = toDoubleArray();
            for (int i = 0; i < n; i++) {
                out[i] = (long) d[i];
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case INT64 -> b.getLong(8 * i);
                case INT32 -> b.getInt(4 * i);
                case INT16 -> b.getShort(2 * i);
                case INT8 -> b.get(i);
                default -> b.get(i) & 0xff;
            };
        }
        return out;
    }

    /** PyTorch's way of printing a shape: {@code (64, 3, 3, 3)}, {@code (512,)}, {@code ()}. */
    public String shapeString() {
        return shapeString(shape);
    }

    public static String shapeString(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (long d : shape) {
            j.add(Long.toString(d));
        }
        return j.toString();
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + shapeString() + "]";
    }
}
