package io.facex.nn;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-line TorchScript modules bundled with facex-nn: libtorch ops DJL's engine does not expose
 * ({@code prelu}, {@code contiguous(memory_format=channels_last)}), each called as a stateless block.
 */
final class TorchScripts {

    /**
     * One loaded module per (resource, device) for the life of the JVM: a module is stateless, and its
     * {@link Model} must stay strongly reachable or DJL's cleaner frees the native module while blocks
     * still call it.
     */
    private static final Map<String, Model> LOADED = new ConcurrentHashMap<>();

    private TorchScripts() {
    }

    static Block get(String resource, Device device) {
        return LOADED.computeIfAbsent(resource + "@" + device, k -> {
            Model model = Model.newInstance("facex-" + resource, device, "PyTorch");
            try (InputStream in = TorchScripts.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is missing from the facex-nn bundle");
                }
                model.load(in, Map.of());
            } catch (IOException e) {
                model.close();
                throw new UncheckedIOException("cannot load the TorchScript module " + resource, e);
            } catch (MalformedModelException e) {
                model.close();
                throw new IllegalStateException("cannot load the TorchScript module " + resource, e);
            }
            return model;
        }).getBlock();
    }
}
