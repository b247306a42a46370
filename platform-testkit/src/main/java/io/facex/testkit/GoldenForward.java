package io.facex.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.facex.api.Backbone;
import io.facex.nn.TorchNames;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The golden forward test of the FaceX-Zoo spec (§1.13): every state-dict tensor is filled from a hash
 * of its PyTorch key, a fixed input goes through in eval mode, and the output's checksums are compared
 * with those FaceX-Zoo's own code produced. One test checks the architecture, the key names and the
 * eval-mode layers at once, with no weight file.
 */
public final class GoldenForward {

    /** What FaceX-Zoo's output gave: its sum, L2 norm and first three values. */
    public record Checksum(double sum, double norm, double first, double second, double third) {
    }

    private GoldenForward() {
    }

    /** h(k) = Σ (i+1)·codepoint(k[i]) mod 9973. */
    public static int hash(String key) {
        long h = 0;
        for (int i = 0; i < key.length(); i++) {
            h += (long) (i + 1) * key.codePointAt(i);
        }
        return (int) (h % 9973);
    }

    /** The spec's deterministic values for the tensor {@code key} of shape {@code shape}. */
    public static float[] fill(String key, Shape shape) {
        int h = hash(key);
        long n = shape.size();
        float[] out = new float[Math.toIntExact(n)];
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

    /** x[t] = sin(0.001·t + 0.5) over one face of the backbone's input shape. */
    public static float[] input(Shape face) {
        float[] x = new float[Math.toIntExact(face.size())];
        for (int t = 0; t < x.length; t++) {
            x[t] = (float) Math.sin(0.001 * t + 0.5);
        }
        return x;
    }

    /** The backbone's output for the golden input, every parameter filled from its PyTorch key. */
    public static <C> float[] run(Backbone<C> backbone, C config) {
        Block block = backbone.build(config);
        Shape in = new Shape(1).addAll(backbone.inputShape(config));
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT32, in);
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                a.set(fill(TorchNames.toTorch(p.getKey()), a.getShape()));
            }
            return block.forward(new ParameterStore(m, false), new NDList(m.create(input(in), in)), false)
                    .singletonOrThrow().toFloatArray();
        }
    }

    /** Each checksum within {@code relTol} of FaceX-Zoo's (the spec's float64 rerun agrees to 5e-5). */
    public static void assertMatches(String what, Checksum expected, float[] out, double relTol) {
        double sum = 0;
        double sq = 0;
        for (float v : out) {
            sum += v;
            sq += (double) v * v;
        }
        double scale = Math.sqrt(sq);
        assertEquals(expected.sum(), sum, relTol * Math.max(Math.abs(expected.sum()), expected.norm()), what + ": sum");
        assertEquals(expected.norm(), scale, relTol * expected.norm(), what + ": L2 norm");
        assertEquals(expected.first(), out[0], relTol * Math.max(Math.abs(expected.first()), 1e-3 * expected.norm()), what + ": out[0]");
        assertEquals(expected.second(), out[1], relTol * Math.max(Math.abs(expected.second()), 1e-3 * expected.norm()), what + ": out[1]");
        assertEquals(expected.third(), out[2], relTol * Math.max(Math.abs(expected.third()), 1e-3 * expected.norm()), what + ": out[2]");
    }
}
