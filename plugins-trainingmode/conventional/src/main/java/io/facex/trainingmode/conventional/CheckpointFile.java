package io.facex.trainingmode.conventional;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.facex.weights.Safetensors;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;

import java.io.IOException;
import java.nio.channels.FileChannel;
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

    record Loaded(Map<String, NDArray> tensors, Map<String, String> meta) {
    }

    private CheckpointFile() {
    }

    /** Written through the weights module's safetensors writer to a hidden file, synced, then renamed. */
    static void write(Path file, Map<String, NDArray> tensors, Map<String, String> meta) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            out.put(e.getKey(), Tensor.ofFloats(a.toFloatArray(), a.getShape().getShape()));
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".partial");
        try {
            Safetensors.write(tmp, new StateDict(file.getFileName().toString(), out, new LinkedHashMap<>(meta)));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("could not write checkpoint " + file + " (" + e.getMessage()
                    + "); any earlier checkpoint is intact", e);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
