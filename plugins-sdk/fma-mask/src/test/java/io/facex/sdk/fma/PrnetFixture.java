package io.facex.sdk.fma;

import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Weights for PRNet tests, the same as those the PyTorch reference ran with. FMA-3D's trained weights are
 * not published and a full set of random ones is 106 MB, so the 96 convolution weights come from a
 * counter-based generator (splitmix64 of the tensor's and the element's number, uniform in ±√(3/fan-in))
 * that numpy reproduced bit for bit; {@code prnet_io.npz} carries the rest: the BatchNorm tensors (their
 * running statistics those of the input, so no layer saturates), the RGB input crop and PyTorch's output.
 * {@code prnet_conv_keys.txt} lists the convolution keys in state-dict order with their shapes, as
 * PyTorch's module gave them.
 */
final class PrnetFixture {

    private PrnetFixture() {
    }

    static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(PrnetFixture.class.getResource("/" + name), name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static StateDict io() {
        try {
            return Npz.read(resource("prnet_io.npz"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole state dict: generated convolutions, then the fixture's BatchNorm tensors. */
    static Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int n = 0;
        try (InputStream in = PrnetFixture.class.getResourceAsStream("/prnet_conv_keys.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] w = line.trim().split(" ");
                long[] shape = new long[w.length - 1];
                for (int i = 1; i < w.length; i++) {
                    shape[i - 1] = Long.parseLong(w[i]);
                }
                out.put(w[0], Tensor.ofFloats(formula(n++, shape), shape));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        io().asMap().forEach((k, v) -> {
            if (!k.equals("input_rgb") && !k.equals("output")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Writes the state dict as .npz. */
    static Path write(Path file) throws IOException {
        Npz.write(file, new StateDict(file.toString(), stateDict()));
        return file;
    }

    static float[] formula(int n, long[] shape) {
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        double bound = Math.sqrt(3.0 / (numel / shape[0]));
        float[] out = new float[Math.toIntExact(numel)];
        long golden = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < out.length; i++) {
            long z = (i + ((long) n << 32)) * golden + golden;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            double u = (z >>> 11) * 0x1.0p-53;
            out[i] = (float) ((2 * u - 1) * bound);
        }
        return out;
    }

    /** The fixture's input as the network takes it: CHW RGB in [0, 1]. */
    static float[] input() {
        float[] hwc = io().require("input_rgb").toFloatArray();
        int plane = Prnet.SIZE * Prnet.SIZE;
        float[] chw = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                chw[c * plane + p] = hwc[3 * p + c] / 255f;
            }
        }
        return chw;
    }
}
