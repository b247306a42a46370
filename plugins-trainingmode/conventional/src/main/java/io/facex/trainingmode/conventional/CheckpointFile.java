package io.facex.trainingmode.conventional;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.facex.weights.Safetensors;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
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

    /** Reads a checkpoint with the weights module's validating safetensors reader. */
    static Loaded read(Path file, NDManager manager) throws IOException {
        StateDict sd = Safetensors.read(file);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (String key : sd.keys()) {
            Tensor t = sd.get(key);
            tensors.put(key, manager.create(t.toFloatArray(), new Shape(t.shape())));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        sd.extras().forEach((k, v) -> meta.put(k, String.valueOf(v)));
        return new Loaded(tensors, meta);
    }
}
