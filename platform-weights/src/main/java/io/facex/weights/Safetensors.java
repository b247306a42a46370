package io.facex.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Hugging Face's safetensors: an 8-byte little-endian header length, a JSON header
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}})
 * and the raw little-endian tensors. {@code __metadata__} strings become the state dict's extras.
 */
public final class Safetensors {

    private static final String METADATA = "__metadata__";
    /** The reference implementation's limit; a longer header means a corrupt or hostile file. */
    static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /**
     * The {@code __metadata__} strings alone, read from the header without the tensors (a checkpoint
     * with a 72,778-class head is hundreds of MB): what a self-describing checkpoint says it holds.
     */
    public static Map<String, String> metadata(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<?, ?> header = header(ch, name).json();
            Map<String, String> out = new LinkedHashMap<>();
            if (header.get(METADATA) instanceof Map<?, ?> meta) {
                meta.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
            }
            return out;
        } catch (WeightsException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsException("cannot read " + name + ": " + e, e);
        }
    }

    public static StateDict read(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(ch, name);
            Map<?, ?> header = h.json();
            long dataStart = 8 + h.length();
            long dataLength = ch.size() - dataStart;
            List<Entry> entries = entries(header, dataLength, name);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                ByteBuffer b = readFully(ch, dataStart + e.begin, (int) (e.end - e.begin), name);
                tensors.put(e.key, Tensor.wrap(e.dtype, e.shape, b.array()));
            }
            Map<String, Object> extras = new LinkedHashMap<>();
            if (header.get(METADATA) instanceof Map<?, ?> meta) {
                meta.forEach((k, v) -> extras.put(String.valueOf(k), v));
            }
            return new StateDict(name, tensors, extras);
        } catch (WeightsException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsException("cannot read " + name + ": " + e, e);
        }
    }

    private record Header(Map<?, ?> json, long length) {
    }

    /** The length-prefixed JSON header, checked against the file's size. */
    private static Header header(FileChannel ch, String name) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new WeightsException("cannot read " + name + ": " + size + " bytes is too short for safetensors");
        }
        long headerLength = readFully(ch, 0, 8, name).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
            throw new WeightsException("cannot read " + name + ": header length " + Long.toUnsignedString(headerLength)
                    + " does not fit a file of " + size + " bytes (truncated or not safetensors?)");
        }
        return new Header(parseHeader(readFully(ch, 8, (int) headerLength, name), name), headerLength);
    }

    private record Entry(String key, DType dtype, long[] shape, long begin, long end) {
    }

    private static Map<?, ?> parseHeader(ByteBuffer bytes, String name) throws WeightsException {
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new WeightsException("cannot read " + name + ": the safetensors header is not UTF-8");
        }
        try {
            if (MiniJson.parse(json) instanceof Map<?, ?> m) {
                return m;
            }
        } catch (IllegalArgumentException e) {
            throw new WeightsException("cannot read " + name + ": bad safetensors header JSON: " + e.getMessage());
        }
        throw new WeightsException("cannot read " + name + ": the safetensors header is not a JSON object");
    }

    private static List<Entry> entries(Map<?, ?> header, long dataLength, String name) throws WeightsException {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<?, ?> h : header.entrySet()) {
            String key = (String) h.getKey();
            if (key.equals(METADATA)) {
                continue;
            }
            String where = "cannot read " + name + ": tensor '" + key + "'";
            if (!(h.getValue() instanceof Map<?, ?> info)) {
                throw new WeightsException(where + " has no {dtype, shape, data_offsets} object");
            }
            DType dtype = info.get("dtype") instanceof String d ? DType.fromSafetensorsName(d) : null;
            if (dtype == null) {
                throw new WeightsException(where + " has unsupported dtype " + info.get("dtype"));
            }
            long[] shape = longs(info.get("shape"), where + " shape");
            long[] offsets = longs(info.get("data_offsets"), where + " data_offsets");
            if (offsets.length != 2) {
                throw new WeightsException(where + " data_offsets must be [begin, end]");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(Tensor.numel(shape), (long) dtype.byteSize());
            } catch (ArithmeticException e) {
                throw new WeightsException(where + " shape " + Tensor.shapeString(shape) + " overflows");
            }
            if (offsets[0] > offsets[1] || offsets[1] > dataLength) {
                throw new WeightsException(where + " data_offsets [" + offsets[0] + ", " + offsets[1]
                        + "] fall outside the " + dataLength + " data bytes (file truncated?)");
            }
            if (offsets[1] - offsets[0] != bytes || bytes > Strided.MAX_BYTES) {
                throw new WeightsException(where + " spans " + (offsets[1] - offsets[0]) + " bytes but "
                        + dtype + " " + Tensor.shapeString(shape) + " needs " + bytes);
            }
            out.add(new Entry(key, dtype, shape, offsets[0], offsets[1]));
        }
        // Writers order the header arbitrarily (JSON objects are unordered); the data layout is the
        // file's real order.
        out.sort(Comparator.comparingLong(Entry::begin));
        return out;
    }

    private static long[] longs(Object o, String where) throws WeightsException {
        if (!(o instanceof List<?> l)) {
            throw new WeightsException(where + " is not a list of integers");
        }
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long v) || v < 0) {
                throw new WeightsException(where + " is not a list of non-negative integers: " + l);
            }
            out[i] = v;
        }
        return out;
    }

    private static ByteBuffer readFully(FileChannel ch, long at, int length, String name) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new WeightsException("cannot read " + name + ": file ends early (truncated?)");
            }
        }
        return b.flip();
    }

    /**
     * One tensor of a file being written: its bytes come from {@code data}, which writes exactly
     * {@code bytes} bytes, so a tensor need never be held whole on the Java heap.
     */
    public record Source(String key, DType dtype, long[] shape, long bytes, Writer data) {
    }

    /** Writes a tensor's bytes, little-endian, to the file. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(java.nio.channels.WritableByteChannel out) throws IOException;
    }

    /**
     * Opens a file for reading tensor by tensor: the header is read and checked up front; each tensor's
     * bytes are then mapped on demand, not copied to the heap (a million-class head is 2 GB).
     */
    public static Mapped map(Path file) throws WeightsException {
        String name = file.getFileName().toString();
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                Header h = header(ch, name);
                long dataStart = 8 + h.length();
                List<Entry> entries = entries(h.json(), ch.size() - dataStart, name);
                Map<String, String> meta = new LinkedHashMap<>();
                if (h.json().get(METADATA) instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> meta.put(String.valueOf(k), String.valueOf(v)));
                }
                return new Mapped(name, ch, dataStart, entries, meta);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (WeightsException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsException("cannot read " + name + ": " + e, e);
        }
    }

    /** A safetensors file open for reading, its tensors in file order. */
    public static final class Mapped implements AutoCloseable {
        private final String name;
        private final FileChannel channel;
        private final long dataStart;
        private final List<Entry> entries;
        private final Map<String, String> meta;

        private Mapped(String name, FileChannel channel, long dataStart, List<Entry> entries, Map<String, String> meta) {
            this.name = name;
            this.channel = channel;
            this.dataStart = dataStart;
            this.entries = entries;
            this.meta = meta;
        }

        /** The {@code __metadata__} strings. */
        public Map<String, String> metadata() {
            return meta;
        }

        /** The tensors' keys in file order. */
        public List<String> keys() {
            return entries.stream().map(Entry::key).toList();
        }

        public DType dtype(String key) {
            return entry(key).dtype();
        }

        public long[] shape(String key) {
            return entry(key).shape().clone();
        }

        /** A tensor's bytes, mapped read-only, little-endian. */
        public ByteBuffer bytes(String key) throws IOException {
            Entry e = entry(key);
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
                    .order(ByteOrder.LITTLE_ENDIAN);
        }

        private Entry entry(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(name + " has no tensor '" + key + "'"));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Writes tensors whose bytes come from their sources, in order; the metadata strings go to
     * {@code __metadata__}.
     */
    public static void write(Path file, Map<String, String> metadata, List<Source> tensors) throws IOException {
        StringJoiner json = new StringJoiner(",", "{", "}");
        StringJoiner meta = new StringJoiner(",", "{", "}");
        metadata.forEach((k, v) -> meta.add(MiniJson.quote(k) + ":" + MiniJson.quote(v)));
        if (meta.length() > 2) {
            json.add(MiniJson.quote(METADATA) + ":" + meta);
        }
        long offset = 0;
        for (Source t : tensors) {
            long expected = Math.multiplyExact(Tensor.numel(t.shape()), (long) t.dtype().byteSize());
            if (expected != t.bytes()) {
                throw new IllegalArgumentException(t.key() + ": " + t.bytes() + " bytes for " + t.dtype() + " "
                        + Tensor.shapeString(t.shape()));
            }
            long end = offset + t.bytes();
            StringJoiner shape = new StringJoiner(",", "[", "]");
            for (long d : t.shape()) {
                shape.add(Long.toString(d));
            }
            json.add(MiniJson.quote(t.key()) + ":{\"dtype\":\"" + t.dtype().safetensorsName() + "\",\"shape\":"
                    + shape + ",\"data_offsets\":[" + offset + "," + end + "]}");
            offset = end;
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8; // the format pads with spaces so tensors start 8-aligned
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(header);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            writeFully(out, head.flip());
            for (Source t : tensors) {
                long before = out.position();
                t.data().writeTo(out);
                if (out.position() - before != t.bytes()) {
                    throw new IOException(t.key() + ": wrote " + (out.position() - before) + " bytes, not " + t.bytes());
                }
            }
        }
    }

    /** Writes all of {@code b}. */
    public static void writeFully(java.nio.channels.WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Writes the tensors in order; String extras go to {@code __metadata__}, other extras are dropped. */
    public static void write(Path file, StateDict weights) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        weights.extras().forEach((k, v) -> {
            if (v instanceof String s) {
                meta.put(k, s);
            }
        });
        List<Source> sources = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
            Tensor t = e.getValue();
            sources.add(new Source(e.getKey(), t.dtype(), t.shape(), t.data().remaining(), out -> writeFully(out, t.data())));
        }
        write(file, meta, sources);
    }
}
