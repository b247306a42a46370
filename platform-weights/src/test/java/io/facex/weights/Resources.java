package io.facex.weights;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test files live in src/test/resources so the tests run anywhere (no ../shared). */
final class Resources {

    static final String CHECKPOINT = "fixtures/facexzoo_mobilefacenet_mv_epoch0.pt";
    static final String BACKBONE_NPZ = "fixtures/mobilefacenet_state_dict.npz";
    static final String HOSTILE = "fixtures/hostile_checkpoint.pt";
    static final String IO_NPZ = "fixtures/mobilefacenet_io.npz";

    private Resources() {
    }

    static Path path(String name) {
        URL url = Resources.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
