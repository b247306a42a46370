package io.facex.sdk.retinaface;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.facex.nn.TorchNames;
import io.facex.weights.BlockWeights;
import io.facex.weights.StateDict;
import io.facex.weights.Weights;
import io.facex.weights.WeightsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The network with its weights, built and loaded once and then shared: {@link #run} may be called from
 * any number of threads at once without a lock. Each call works in its own NDManager, closed before it
 * returns (no native memory outlives a call), with its own ParameterStore that hands out the parameters
 * as they are; the parameters are only read (eval mode: batch norm uses its running statistics and
 * updates nothing) and record no gradient.
 */
final class LoadedNet {

    /** The weights shipped in the bundle: FaceX-Zoo's face_detection_retina.pkl as a state dict. */
    static final String BUNDLED = "retinaface_mnet025.npz";

    private final NDManager manager;
    private final RetinaFaceNet net;

    private LoadedNet(NDManager manager, RetinaFaceNet net) {
        this.manager = manager;
        this.net = net;
    }

    /** Loads a state dict (npz, safetensors or a torch zip, by content) with FaceX-Zoo's key names. */
    static LoadedNet load(Path file) throws WeightsException {
        StateDict weights = Weights.load(file).select("");
        NDManager manager = newManager();
        try {
            RetinaFaceNet net = new RetinaFaceNet();
            // Parameter shapes do not depend on the image size: any input initialises the blocks.
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            BlockWeights.apply(net, weights, TorchNames::toTorch);
            for (Pair<String, Parameter> p : net.getParameters()) {
                p.getValue().getArray().setRequiresGradient(false);
            }
            return new LoadedNet(manager, net);
        } catch (WeightsException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The bundled weights, copied out of the jar to a temporary file for the reader, which wants a path. */
    static LoadedNet bundled() {
        try (InputStream in = LoadedNet.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " is missing from the RetinaFace bundle");
            }
            Path tmp = Files.createTempFile("retinaface_mnet025-", ".npz");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled " + BUNDLED + ": " + e.getMessage(), e);
        }
    }

    /**
     * DJL finds its engine through the thread's context class loader; inside the OSGi container that may
     * be a loader that cannot see DJL, so the first look-up runs with DJL's own.
     */
    private static NDManager newManager() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(Engine.class.getClassLoader());
        try {
            return Engine.getInstance().newBaseManager();
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    /** The parameters and running statistics, as loaded. */
    RetinaFaceNet block() {
        return net;
    }

    /** Native arrays alive under this network: its parameters, plus whatever a call failed to free. */
    int liveArrays() {
        return manager.getManagedArrays().size();
    }

    /** The raw predictions for one prepared input. */
    Decoder.Raw run(NetInput input) {
        try (NDManager call = manager.newSubManager()) {
            NDArray x = call.create(input.chw(), new Shape(1, 3, input.height(), input.width()));
            NDList out = net.forward(new ParameterStore(call, false), new NDList(x), false);
            return new Decoder.Raw(out.get(0).toFloatArray(), out.get(1).toFloatArray(), out.get(2).toFloatArray());
        }
    }
}
