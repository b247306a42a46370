package io.facex.weights;

/** Copies a (possibly strided) view of a flat element buffer into a fresh C-order buffer. */
final class Strided {

    /** Java arrays stop a little short of Integer.MAX_VALUE. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private Strided() {
    }

    /**
     * @param what names the tensor in error messages
     * @throws IllegalArgumentException if the view reaches outside the buffer
     */
    static byte[] gather(byte[] src, int elemSize, long offset, long[] shape, long[] stride, String what) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException(what + ": shape " + Tensor.shapeString(shape) + " has "
                    + shape.length + " dimensions but stride " + Tensor.shapeString(stride) + " has " + stride.length);
        }
        long numel = Tensor.numel(shape);
        long bytes = Math.multiplyExact(numel, (long) elemSize);
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes is too large for one tensor");
        }
        if (numel == 0) {
            return new byte[0];
        }
        long srcNumel = src.length / elemSize;
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (stride[i] < 0) {
                throw new IllegalArgumentException(what + ": negative stride " + Tensor.shapeString(stride));
            }
            last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        }
        if (offset < 0 || last >= srcNumel) {
            throw new IllegalArgumentException(what + ": view (offset " + offset + ", shape "
                    + Tensor.shapeString(shape) + ", stride " + Tensor.shapeString(stride)
                    + ") reaches element " + last + " of a storage holding " + srcNumel);
        }
        byte[] out = new byte[(int) bytes];
        if (isContiguous(shape, stride)) {
            System.arraycopy(src, (int) (offset * elemSize), out, 0, out.length);
            return out;
        }
        // General case (views, transposes, Fortran order): walk the index like an odometer.
        int rank = shape.length;
        long[] index = new long[rank];
        long pos = offset;
        for (long n = 0; n < numel; n++) {
            System.arraycopy(src, (int) (pos * elemSize), out, (int) (n * elemSize), elemSize);
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                pos += stride[d];
                if (index[d] < shape[d]) {
                    break;
                }
                pos -= index[d] * stride[d];
                index[d] = 0;
            }
        }
        return out;
    }

    /** C-contiguous, ignoring the stride of size-1 dimensions (PyTorch leaves arbitrary values there). */
    static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Row-major strides of {@code shape} read as Fortran order (first index fastest). */
    static long[] fortranStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = 0; i < shape.length; i++) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Reverses each element's bytes in place: big-endian files become little-endian. */
    static void swapBytes(byte[] data, int elemSize) {
        if (elemSize == 1) {
            return;
        }
        for (int at = 0; at + elemSize <= data.length; at += elemSize) {
            for (int i = 0, j = elemSize - 1; i < j; i++, j--) {
                byte t = data[at + i];
                data[at + i] = data[at + j];
                data[at + j] = t;
            }
        }
    }
}
