package io.facex.testkit;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.facex.api.Backbone;
import io.facex.nn.TorchNames;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A backbone's weights as initialised, written as a state dict with FaceX-Zoo's names: what a test needs
 * when any weights will do (timing, plumbing, "the same photo scores 1"), without shipping a file.
 */
public final class InitialWeights {

    private InitialWeights() {
    }

    /** Builds the backbone at its defaults, initialises it and writes every parameter to {@code file} (.npz). */
    public static <C> Path write(Backbone<C> net, Path file) throws IOException {
        C config = net.defaultConfig();
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = net.build(config);
            b.initialize(m, DataType.FLOAT32, new Shape(1).addAll(net.inputShape(config)));
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : b.getParameters()) {
                tensors.put(TorchNames.toTorch(p.getKey()), Tensor.ofFloats(p.getValue().getArray().toFloatArray(),
                        p.getValue().getArray().getShape().getShape()));
            }
            Npz.write(file, new StateDict(file.toString(), tensors));
        }
        return file;
    }
}
