package io.facex.trainingmode.conventional;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training checkpoints as safetensors files (readable by Python's {@code safetensors}, no pickle),
 * float32 tensors plus string metadata, written atomically: a crash or a full disk while writing
 * leaves the previous file untouched, never a half-written one.
 */
final class CheckpointFile {

    static final String EXTENSION = ".safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 64L << 20;

    record Loaded(Map<String, NDArray> tensors, Map<String, String> meta) {
    }

    private CheckpointFile() {
    }

    static void write(Path file, Map<String, NDArray> tensors, Map<String, String> meta) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode m = header.putObject("__metadata__");
        meta.forEach(m::put);
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            long bytes = a.size() * 4;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the format wants the data 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path tmp = file.resolveSibling("." + file.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head);
            for (NDArray a : tensors.values()) {
                NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
                ByteBuffer data = f.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                writeFully(ch, data);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("could not write checkpoint " + file + " (" + e.getMessage()
                    + "); any earlier checkpoint is intact", e);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    static Loaded read(Path file, NDManager manager) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such checkpoint");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors checkpoint (only " + size + " bytes)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, file);
            long headerLen = len.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new IOException(file + ": not a safetensors checkpoint (header length " + headerLen
                        + ", file size " + size + "); truncated or another format");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, file);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new IOException(file + ": corrupt checkpoint header: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
                    continue;
                }
                JsonNode t = e.getValue();
                if (!"F32".equals(t.path("dtype").asText())) {
                    throw new IOException(file + ": tensor " + e.getKey() + " has dtype " + t.path("dtype") + ", expected F32");
                }
                long[] shape = new long[t.path("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                    n *= shape[i];
                }
                long begin = t.path("data_offsets").path(0).asLong(-1);
                long end = t.path("data_offsets").path(1).asLong(-1);
                if (begin < 0 || end - begin != n * 4 || dataStart + end > size) {
                    throw new IOException(file + ": tensor " + e.getKey() + " lies outside the file (offsets "
                            + begin + ".." + end + ", file size " + size + "): truncated checkpoint");
                }
                ByteBuffer data = ByteBuffer.allocateDirect((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                ch.position(dataStart + begin);
                readFully(ch, data, file);
                data.flip();
                tensors.put(e.getKey(), manager.create(data.asFloatBuffer(), new Shape(shape)));
            }
            return new Loaded(tensors, meta);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException(file + ": truncated checkpoint (ends after " + ch.position() + " bytes)");
            }
        }
    }
}
