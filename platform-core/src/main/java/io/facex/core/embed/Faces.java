package io.facex.core.embed;

import ai.djl.ndarray.types.Shape;
import io.facex.weights.Npy;
import io.facex.weights.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** Faces to embed, read from a {@code .npy} batch (N, C, H, W), already normalised. */
public record Faces(float[] values, int count) {

    /** @param maxPixels for an image list: the largest width x height an image may declare */
    public static Faces read(Path input, Path dataRoot, Shape face, long maxPixels) throws IOException {
        return read(input, dataRoot, face, maxPixels, false);
    }

    /** @param cropEye images are aligned 112×112 faces of which the model takes the upper half ({@code .npy} batches are taken as they are) */
    public static Faces read(Path input, Path dataRoot, Shape face, long maxPixels, boolean cropEye) throws IOException {
        if (!input.getFileName().toString().endsWith(".npy")) {
            return ImageFaces.read(input, dataRoot, face, maxPixels, cropEye);
        }
        Tensor t = Npy.read(input);
        long[] s = t.shape();
        long[] want = face.getShape();
        if (s.length != 4 || s[1] != want[0] || s[2] != want[1] || s[3] != want[2]) {
            throw new IOException(input + ": expected a batch of shape (N, " + want[0] + ", " + want[1] + ", "
                    + want[2] + "), got " + Arrays.toString(s));
        }
        return new Faces(t.toFloatArray(), (int) s[0]);
    }
}
