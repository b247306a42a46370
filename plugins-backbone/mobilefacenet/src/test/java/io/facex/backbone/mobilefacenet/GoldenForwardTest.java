package io.facex.backbone.mobilefacenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.facex.nn.TorchNames;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The spec's §1.13 golden forward test: every state-dict tensor filled from a hash of its FaceX-Zoo
 * key, a fixed input, and the output checksums FaceX-Zoo's own MobileFaceNet produced in eval mode.
 * It checks the architecture, the key mapping and eval-mode BatchNorm/PReLU at once.
 */
class GoldenForwardTest {

    static int hash(String key) {
        long h = 0;
        for (int i = 0; i < key.length(); i++) {
            h += (long) (i + 1) * key.codePointAt(i);
        }
        return (int) (h % 9973);
    }

    static float[] fill(String key, Shape shape) {
        int h = hash(key);
        long n = shape.size();
        float[] out = new float[(int) n];
        for (long j = 0; j < n; j++) {
            long x = ((j + 1) * 2654435761L + h * 40503L) & 0xFFFFFFFFL;
            x ^= x >>> 13;
            x = (x * 1274126177L) & 0xFFFFFFFFL;
            x ^= x >>> 16;
            double u = x / 4294967296.0;
            double r = 2 * u - 1;
            double v;
            if (shape.dimension() >= 2) {
                v = r * Math.sqrt(3.0 / ((double) n / shape.get(0)));
            } else if (key.endsWith("running_var")) {
                v = 1 + 0.1 * u;
            } else if (key.endsWith("weight")) {
                v = 1 + 0.1 * r;
            } else {
                v = 0.1 * r;
            }
            out[(int) j] = (float) v;
        }
        return out;
    }

    @Test
    void hashMatchesTheSpecsCheckValues() {
        assertEquals(5320, hash("conv1.conv.weight"));
        float[] w = fill("conv1.conv.weight", new Shape(64, 3, 3, 3));
        double scale = Math.sqrt(3.0 / 27);
        assertEquals(0.17132367, (w[0] / scale + 1) / 2, 1e-6);
        assertEquals(0.94667427, (w[1] / scale + 1) / 2, 1e-6);
        assertEquals(0.49207173, (w[2] / scale + 1) / 2, 1e-6);
    }

    @Test
    void outputChecksumsMatchFaceXZoo() {
        MobileFaceNet net = new MobileFaceNet();
        Block block = net.build(net.defaultConfig());
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(1, 3, 112, 112);
            block.initialize(m, DataType.FLOAT32, in);
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                a.set(fill(TorchNames.toTorch(p.getKey()), a.getShape()));
            }
            float[] x = new float[(int) in.size()];
            for (int t = 0; t < x.length; t++) {
                x[t] = (float) Math.sin(0.001 * t + 0.5);
            }
            float[] out = block.forward(new ParameterStore(m, false), new NDList(m.create(x, in)), false)
                    .singletonOrThrow().toFloatArray();
            double sum = 0;
            double sq = 0;
            for (float v : out) {
                sum += v;
                sq += (double) v * v;
            }
            assertEquals(512, out.length);
            assertEquals(4.745899e+02, sum, 1e-3 * 4.745899e+02);
            assertEquals(6.656826e+02, Math.sqrt(sq), 1e-3 * 6.656826e+02);
            assertEquals(-2.438364e+01, out[0], 1e-3 * 24.38364);
            assertEquals(4.688031e+01, out[1], 1e-3 * 46.88031);
            assertEquals(7.282474e+00, out[2], 1e-3 * 7.282474);
        }
    }
}
