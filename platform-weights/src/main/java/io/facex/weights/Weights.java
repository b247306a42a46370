package io.facex.weights;

import java.nio.file.Path;
import java.util.Map;

/** Entry point: load any supported weights file into a {@link StateDict}. */
public final class Weights {

    private Weights() {
    }

    /**
     * Reads {@code file} in whichever format its content shows. A single {@code .npy} array becomes a
     * one-entry state dict keyed by the file name without extension.
     *
     * @throws UnsafeWeightsException if a checkpoint's pickle asks for anything but tensors, dicts and inert
     *                                objects (a pickled whole module's layers, created empty and given a dict)
     * @throws WeightsException       if the file is unreadable, truncated or corrupt (message names it)
     */
    public static StateDict load(Path file) throws WeightsException {
        return switch (WeightsFormat.detect(file)) {
            case TORCH_ZIP -> TorchZip.read(file);
            case TORCH_LEGACY -> TorchLegacy.read(file);
            case NPZ -> Npz.read(file);
            case SAFETENSORS -> Safetensors.read(file);
            case NPY -> {
                String name = file.getFileName().toString();
                int dot = name.lastIndexOf('.');
                String key = dot > 0 ? name.substring(0, dot) : name;
                yield new StateDict(name, Map.of(key, Npy.read(file)));
            }
        };
    }
}
