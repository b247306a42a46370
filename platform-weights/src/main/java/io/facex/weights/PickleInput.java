package io.facex.weights;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes a pickle is read from: an in-memory zip entry, or a stream over a whole legacy checkpoint,
 * where several pickles and then the raw storages follow one another and the file is never loaded whole.
 * The declared length lets every length field be checked against what is left before anything is
 * allocated; a stream that ends sooner than declared fails with {@link EOFException}.
 */
final class PickleInput {

    /** GLOBAL names and text numbers are short; a longer "line" is corruption, not something to buffer. */
    static final int MAX_LINE = 1 << 16;

    private final InputStream in;
    private final long length;
    private long pos;

    PickleInput(InputStream in, long length) {
        this.in = in;
        this.length = length;
    }

    static PickleInput of(byte[] bytes) {
        return new PickleInput(new ByteArrayInputStream(bytes), bytes.length);
    }

    long position() {
        return pos;
    }

    long remaining() {
        return length - pos;
    }

    int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        pos++;
        return b;
    }

    byte[] bytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        pos += b.length;
        if (b.length < n) {
            throw new EOFException();
        }
        return b;
    }

    long i64() throws IOException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) u8() << (8 * i);
        }
        return v;
    }

    /**
     * The bytes up to the next newline (which is consumed), or null if the input ends first or the
     * line is longer than {@link #MAX_LINE}; {@link #remaining()} then tells which.
     */
    byte[] line() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (remaining() > 0 && out.size() <= MAX_LINE) {
            int b = u8();
            if (b == '\n') {
                return out.toByteArray();
            }
            out.write(b);
        }
        return null;
    }
}
