package io.facex.head.amsoftmax;

import io.facex.api.InvalidConfigException;
import io.facex.testkit.HeadContract;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The head contract, and parity with FaceX-Zoo's {@code head/AM_Softmax.py} (PyTorch 1.13, float32):
 * {@code fixtures/am_softmax.npz} holds its logits, cross-entropy loss and the loss's gradients w.r.t.
 * the features and the class matrix for feat_dim 8, 5 classes, 4 faces, m 0.35, s 32.
 */
class AmSoftmaxTest extends HeadContract<AmSoftmax.Config> {


    AmSoftmaxTest() {
        super(new AmSoftmax());
    }

    @Override
    protected AmSoftmax.Config testConfig() {
        return new AmSoftmax.Config(8, 5, 0.35, 32);
    }

    @Override
    protected String faceXZooFixture() {
        return "am_softmax.npz";
    }

    @Override
    protected Golden<AmSoftmax.Config> faceXZooGolden() {
        return new Golden<>(new AmSoftmax.Config(4, 3, 0.35, 32), new float[] {
            23.663460f, -1.807786f, 2.037592f, 2.666146f, 13.568726f, -20.103945f, 14.036480f, -33.549519f, 19.561510f});
    }

    @Override
    protected boolean renormInitialised() {
        return true;
    }

    private Path copy(String resource, Path dir) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + resource)) {
            assertNotNull(in, "test resource /fixtures/" + resource + " is missing");
            Path file = dir.resolve(resource);
            Files.copy(in, file);
            return file;
        }
    }

    @Test
    void rejectsBadConfigNamingTheKey() {
        AmSoftmax am = new AmSoftmax();
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(0, 10, 0.35, 32))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(512, 1, 0.35, 32))).key());
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(512, 10, -0.1, 32))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> am.validate(new AmSoftmax.Config(512, 10, 0.35, 0))).key());
    }
}
