package io.facex.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.facex.weights.DType;
import io.facex.weights.Safetensors;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** {@code true} when the model was trained on upper-half faces (FaceX-Zoo's {@code crop_eye}); absent before it was recorded. */
    public static final String CROP_EYE = "crop_eye";

    /** What a checkpoint holds: its arrays and metadata. */
    public record Loaded(Map<String, NDArray> tensors, Map<String, String> meta) {
    }

    /**
     * The model a checkpoint describes, for evaluation and embedding without naming the backbone.
     *
     * @param cropEye trained on upper-half faces, which it must be given too
     */
    public record Model(String backbone, String backboneConfigJson, String head, String headConfigJson, boolean cropEye) {
    }

    private Checkpoint() {
    }

    /**
     * Written through the weights module's safetensors writer to a hidden file, synced, then renamed. Each
     * array streams out in row blocks of a few MB, so a million-class head (2 GB, and as much again of
     * momentum) needs no Java heap.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> meta) throws IOException {
        List<Safetensors.Source> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            out.add(source(e.getKey(), e.getValue()));
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".partial");
        try {
            Safetensors.write(tmp, meta, out);
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

    /** Bytes per block when an array streams to or from a file. */
    private static final long BLOCK = 16L << 20;

    /** Counters (Partial FC's drawn passes) stay exact as int64; everything else is float32. */
    private static Safetensors.Source source(String key, NDArray a) {
        boolean int64 = a.getDataType() == DataType.INT64;
        NDArray values = int64 || a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        DType dtype = int64 ? DType.INT64 : DType.FLOAT32;
        long[] shape = values.getShape().getShape();
        long bytes = values.size() * dtype.byteSize();
        return new Safetensors.Source(key, dtype, shape, bytes, out -> {
            long rows = shape.length == 0 ? 1 : shape[0];
            long rowBytes = rows == 0 ? bytes : bytes / rows;
            long step = Math.max(1, BLOCK / Math.max(1, rowBytes));
            // toByteBuffer(true) views the tensor's own memory: a copy per block would sit in direct
            // memory until the next garbage collection, gigabytes for a large head.
            if (shape.length == 0 || step >= rows) {
                Safetensors.writeFully(out, values.toByteBuffer(true));
                return;
            }
            for (long r = 0; r < rows; r += step) {
                try (NDArray block = values.get(new NDIndex(r + ":" + Math.min(rows, r + step)))) {
                    Safetensors.writeFully(out, block.toByteBuffer(true));
                }
            }
        });
    }

    /**
     * Reads a checkpoint with the weights module's validating safetensors reader, one array at a time
     * from the mapped file into native memory (never a Java array, which could not hold 2 GB anyway).
     */
    public static Loaded read(Path file, NDManager manager) throws IOException {
        try (Safetensors.Mapped f = Safetensors.map(file)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String key : f.keys()) {
                DType dtype = f.dtype(key);
                Shape shape = new Shape(f.shape(key));
                NDArray a;
                if (dtype == DType.INT64 || dtype == DType.FLOAT32) {
                    // created over the mapping, then copied: the mapping is read-only and goes with the file
                    try (NDArray mapped = manager.create(f.bytes(key), shape,
                            dtype == DType.INT64 ? DataType.INT64 : DataType.FLOAT32)) {
                        a = mapped.duplicate();
                    }
                } else {
                    throw new IOException(file + ": tensor '" + key + "' is " + dtype + "; checkpoints hold F32 and I64");
                }
                tensors.put(key, a);
            }
            return new Loaded(tensors, new LinkedHashMap<>(f.metadata()));
        }
    }

    /**
     * The model a weights file describes, when it is one of our checkpoints that names it; empty for
     * FaceX-Zoo's {@code .pt}, state dicts and checkpoints written before checkpoints named their model.
     */
    public static Optional<Model> model(Map<String, String> meta) {
        if (!FORMAT.equals(meta.get("format")) || !meta.containsKey(BACKBONE)) {
            return Optional.empty();
        }
        // Checkpoints from before the crop was recorded were all trained on full faces.
        return Optional.of(new Model(meta.get(BACKBONE), meta.getOrDefault(BACKBONE_CONFIG, "{}"),
                meta.get(HEAD), meta.getOrDefault(HEAD_CONFIG, "{}"), Boolean.parseBoolean(meta.get(CROP_EYE))));
    }

}
