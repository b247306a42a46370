package io.facex.core.checkpoint;

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
import java.util.Optional;

/**
 * Training checkpoints: safetensors files (readable by Python's {@code safetensors}, no pickle) of
 * float32 tensors plus string metadata, written atomically (a crash or a full disk while writing leaves
 * the previous file untouched). The metadata makes a checkpoint self-describing: which backbone and
 * head with which configurations, the mode and the whole job, and where in the schedule it was taken.
 */
public final class Checkpoint {

    public static final String EXTENSION = ".safetensors";

    /** This layout's {@code format} value. */
    public static final String FORMAT = "facex-j/checkpoint/2";
    /** Written by conventional training before the platform owned the loop: still resumable and loadable. */
    public static final String FORMAT_1 = "facex-j/conventional/1";

    /** Metadata keys. */
    public static final String BACKBONE = "backbone";
    public static final String BACKBONE_CONFIG = "backbone_config";
    public static final String HEAD = "head";
    public static final String HEAD_CONFIG = "head_config";
    public static final String HEAD_SIZE = "head_size";
    public static final String MODE = "mode";
    public static final String MODE_CONFIG = "mode_config";
    public static final String JOB = "job";

    /** What a checkpoint holds: its arrays and metadata. */
    public record Loaded(Map<String, NDArray> tensors, Map<String, String> meta) {
    }

    /** The model a checkpoint describes, for evaluation and embedding without naming the backbone. */
    public record Model(String backbone, String backboneConfigJson, String head, String headConfigJson) {
    }

    private Checkpoint() {
    }

    /** Written through the weights module's safetensors writer to a hidden file, synced, then renamed. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> meta) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            // Counters (Partial FC's drawn passes) stay exact as int64; everything else is float32.
            out.put(e.getKey(), a.getDataType() == ai.djl.ndarray.types.DataType.INT64
                    ? Tensor.ofLongs(a.toLongArray(), a.getShape().getShape())
                    : Tensor.ofFloats(a.toFloatArray(), a.getShape().getShape()));
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
    public static Loaded read(Path file, NDManager manager) throws IOException {
        StateDict sd = Safetensors.read(file);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (String key : sd.keys()) {
            Tensor t = sd.get(key);
            tensors.put(key, t.dtype() == io.facex.weights.DType.INT64
                    ? manager.create(t.toLongArray(), new Shape(t.shape()))
                    : manager.create(t.toFloatArray(), new Shape(t.shape())));
        }
        return new Loaded(tensors, meta(sd));
    }

    /**
     * The model a weights file describes, when it is one of our checkpoints that names it; empty for
     * FaceX-Zoo's {@code .pt}, state dicts and checkpoints written before checkpoints named their model.
     */
    public static Optional<Model> model(Map<String, String> meta) {
        if (!FORMAT.equals(meta.get("format")) || !meta.containsKey(BACKBONE)) {
            return Optional.empty();
        }
        return Optional.of(new Model(meta.get(BACKBONE), meta.getOrDefault(BACKBONE_CONFIG, "{}"),
                meta.get(HEAD), meta.getOrDefault(HEAD_CONFIG, "{}")));
    }

    private static Map<String, String> meta(StateDict sd) {
        Map<String, String> meta = new LinkedHashMap<>();
        sd.extras().forEach((k, v) -> meta.put(k, String.valueOf(v)));
        return meta;
    }
}
