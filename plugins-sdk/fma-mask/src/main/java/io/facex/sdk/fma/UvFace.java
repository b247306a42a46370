package io.facex.sdk.fma;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * The face region of PRNet's 256×256 UV map and its mesh. The vertices are the region's pixels in raster
 * order: FMA-3D's {@code face_ind.txt} is exactly that list (43,867 indices), so it is derived here from
 * the 859-byte {@code uv_face_mask.png}. Its {@code triangles.txt} is not published; the mesh is rebuilt
 * on the UV grid: each cell split along the same diagonal, a half kept when its three corners are in the
 * region. That gives 86,907 triangles to PRNet's 86,906; requiring all four corners would give 86,850
 * and leave the region's stair-stepped rim without triangles.
 */
final class UvFace {

    static final int SIZE = Prnet.SIZE;

    /** Raster index (row·256 + column) of each vertex. */
    static final int[] FACE_IND;
    /** Vertex index of each UV pixel, −1 outside the face. */
    static final int[] VERTEX;
    /** Vertex indices, three per triangle. */
    static final int[] TRIANGLES;

    static {
        byte[] mask = read("masks/uv_face_mask.png");
        VERTEX = new int[SIZE * SIZE];
        Arrays.fill(VERTEX, -1);
        int n = 0;
        for (int p = 0; p < mask.length; p++) {
            if (mask[p] != 0) {
                VERTEX[p] = n++;
            }
        }
        FACE_IND = new int[n];
        for (int p = 0; p < mask.length; p++) {
            if (VERTEX[p] >= 0) {
                FACE_IND[VERTEX[p]] = p;
            }
        }
        TRIANGLES = triangulate();
    }

    private UvFace() {
    }

    static boolean inFace(int pixel) {
        return VERTEX[pixel] >= 0;
    }

    /** Cell (r, c): (r,c)-(r+1,c)-(r,c+1) and (r,c+1)-(r+1,c)-(r+1,c+1), each if its corners are in the face. */
    private static int[] triangulate() {
        int[] out = new int[6 * (SIZE - 1) * (SIZE - 1)];
        int k = 0;
        for (int r = 0; r + 1 < SIZE; r++) {
            for (int c = 0; c + 1 < SIZE; c++) {
                int a = VERTEX[r * SIZE + c], b = VERTEX[r * SIZE + c + 1];
                int d = VERTEX[(r + 1) * SIZE + c], e = VERTEX[(r + 1) * SIZE + c + 1];
                if (b < 0 || d < 0) {
                    continue;
                }
                if (a >= 0) {
                    out[k++] = a;
                    out[k++] = d;
                    out[k++] = b;
                }
                if (e >= 0) {
                    out[k++] = b;
                    out[k++] = d;
                    out[k++] = e;
                }
            }
        }
        return Arrays.copyOf(out, k);
    }

    private static byte[] read(String resource) {
        byte[] png;
        try (InputStream in = UvFace.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the bundle");
            }
            png = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        try (BytePointer p = new BytePointer(png.length)) {
            p.put(png, 0, png.length);
            try (Mat buf = new Mat(1, png.length, CV_8UC1, p);
                 Mat m = opencv_imgcodecs.imdecode(buf, opencv_imgcodecs.IMREAD_GRAYSCALE)) {
                if (m == null || m.empty() || m.cols() != SIZE || m.rows() != SIZE) {
                    throw new IllegalStateException(resource + ": expected a 256x256 image");
                }
                byte[] out = new byte[SIZE * SIZE];
                for (int r = 0; r < SIZE; r++) {
                    m.ptr(r).get(out, r * SIZE, SIZE);
                }
                return out;
            }
        }
    }
}
