package io.facex.weights;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** NumPy's {@code .npy} format (versions 1–3): read any plain numeric array, write C-order arrays. */
public final class Npy {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** NumPy itself refuses headers over 10 kB by default; allow more, but not unbounded. */
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {
    }

    public static Tensor read(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in, name);
        } catch (WeightsException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsException("cannot read " + name + ": " + e, e);
        }
    }

    /** @param where names the array in messages, e.g. {@code weights.npz (entry conv1.weight.npy)} */
    static Tensor read(InputStream in, String where) throws IOException {
        byte[] preamble = in.readNBytes(8);
        if (preamble.length < 8 || !Arrays.equals(Arrays.copyOf(preamble, 6), MAGIC)) {
            throw new WeightsException("cannot read " + where + ": not a .npy array (no \\x93NUMPY magic"
                    + (preamble.length < 8 ? ", file too short)" : ")"));
        }
        int major = preamble[6];
        int headerLength;
        if (major == 1) {
            byte[] b = in.readNBytes(2);
            headerLength = b.length < 2 ? -1 : (b[0] & 0xff) | (b[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] b = in.readNBytes(4);
            headerLength = b.length < 4 ? -1
                    : (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
        } else {
            throw new WeightsException("cannot read " + where + ": unknown .npy format version " + major);
        }
        if (headerLength < 0 || headerLength > MAX_HEADER) {
            throw new WeightsException("cannot read " + where + ": bad or truncated .npy header length");
        }
        byte[] headerBytes = in.readNBytes(headerLength);
        if (headerBytes.length < headerLength) {
            throw new WeightsException("cannot read " + where + ": the .npy header ends early (file truncated?)");
        }
        // Version 1 and 2 headers are latin-1, version 3 UTF-8; both are ASCII in practice.
        String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text, where);
        DType dtype = dtypeOf(header.descr(), where);
        long[] shape = header.shape();
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.numel(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > Strided.MAX_BYTES) {
            throw new WeightsException("cannot read " + where + ": shape " + Tensor.shapeString(shape)
                    + " is too large for one tensor");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new WeightsException("cannot read " + where + ": array data ends after " + data.length + " of "
                    + bytes + " bytes (file truncated?)");
        }
        if (isBigEndian(header.descr())) {
            Strided.swapBytes(data, dtype.byteSize());
        }
        if (header.fortranOrder() && shape.length > 1) {
            data = Strided.gather(data, dtype.byteSize(), 0, shape, Strided.fortranStrides(shape), where);
        }
        return Tensor.wrap(dtype, shape, data);
    }

    private static DType dtypeOf(Object descr, String where) throws WeightsException {
        if (descr instanceof List<?>) {
            throw new WeightsException("cannot read " + where + ": structured arrays (record dtypes) are not weights");
        }
        if (!(descr instanceof String d) || d.isEmpty()) {
            throw new WeightsException("cannot read " + where + ": bad dtype descr " + descr);
        }
        String code = "<>|=".indexOf(d.charAt(0)) >= 0 ? d.substring(1) : d;
        if (code.startsWith("O")) {
            throw new WeightsException("cannot read " + where + ": it is an object array (dtype " + d
                    + "), whose elements only pickle can restore; refusing, as pickle can run code");
        }
        DType t = DType.fromNpyCode(code.equals("?") ? "b1" : code);
        if (t == null) {
            throw new WeightsException("cannot read " + where + ": unsupported dtype " + d
                    + " (supported: float16/32/64, int8/16/32/64, uint8, bool)");
        }
        return t;
    }

    private static boolean isBigEndian(Object descr) {
        return descr instanceof String d && d.startsWith(">");
    }

    /** Writes {@code tensor} as a version 1.0 .npy in C order (bfloat16, which NumPy lacks, is refused). */
    public static void write(Path file, Tensor tensor) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            write(out, tensor);
        }
    }

    /** Writes float32 values (e.g. features, one row per image) as a C-order .npy. */
    public static void writeFloats(Path file, float[] values, long... shape) throws IOException {
        write(file, Tensor.ofFloats(values, shape));
    }

    static void write(OutputStream out, Tensor tensor) throws IOException {
        DType t = tensor.dtype();
        if (t.npyCode() == null) {
            throw new IllegalArgumentException("NumPy has no " + t + " type; convert the tensor first");
        }
        String descr = (t.byteSize() == 1 ? "|" : "<") + t.npyCode();
        StringBuilder h = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': ").append(tensor.shapeString()).append(", }");
        // NumPy pads so the data starts on a 64-byte boundary and ends the header with a newline.
        int unpadded = MAGIC.length + 2 + 2 + h.length() + 1;
        h.append(" ".repeat((64 - unpadded % 64) % 64)).append('\n');
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (header.length > 0xffff) {
            throw new IllegalArgumentException("shape too long for a .npy 1.0 header");
        }
        out.write(MAGIC);
        out.write(new byte[] {1, 0, (byte) header.length, (byte) (header.length >>> 8)});
        out.write(header);
        byte[] data = new byte[tensor.data().remaining()];
        tensor.data().get(data);
        out.write(data);
    }
}
