package io.facex.sdk.fma;

import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.MaskedFace;
import io.facex.data.ImageOps;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.facex.sdk.fma.Fma3dTest.MASKER;
import static io.facex.sdk.fma.Fma3dTest.PHOTO;
import static io.facex.sdk.fma.Fma3dTest.change;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The UV path. No trained PRNet exists to test it with, so most tests hand it a position map of known
 * geometry: UV space laid onto test1.jpg's first face by the 2-D fallback's own landmark mesh (an affine
 * fit of the 68 UV keypoints beyond it), under a dome of depth. The network's path is run end to end on
 * the parity fixture's random weights, which says it runs, not where a mask lands.
 */
class UvPathTest {

    static final double[] NO_GAIN = {1, 1, 1};

    /**
     * The position map that puts every UV pixel where the 2-D fallback's mesh puts it in the photo (the
     * mesh's piecewise-affine map; outside the mesh the least-squares affine map of the 68 keypoints), with
     * z a dome over UV space, highest at its centre, of the face's own scale.
     */
    static float[] knownPositions(double[] shape) {
        int n = UvFace.SIZE;
        double[] affine = Affine.leastSquares(FaceShape.UV, shape);
        double scale = Math.sqrt(Math.abs(affine[0] * affine[4] - affine[1] * affine[3]));
        float[] pos = new float[3 * n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int p = y * n + x;
                pos[3 * p] = (float) (affine[0] * x + affine[1] * y + affine[2]);
                pos[3 * p + 1] = (float) (affine[3] * x + affine[4] * y + affine[5]);
                double r2 = ((x - 128.0) * (x - 128.0) + (y - 128.0) * (y - 128.0)) / (128.0 * 128.0);
                pos[3 * p + 2] = (float) (scale * 100 * Math.sqrt(Math.max(0, 1 - r2)));
            }
        }
        double[] uv = Mesh.UV, img = Mesh.vertices(shape);
        int[] t = Mesh.TRIANGLES;
        for (int k = 0; k < t.length; k += 3) {
            int a = t[k], b = t[k + 1], c = t[k + 2];
            double ax = uv[2 * a], ay = uv[2 * a + 1], bx = uv[2 * b], by = uv[2 * b + 1], cx = uv[2 * c], cy = uv[2 * c + 1];
            double d = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
            if (Math.abs(d) < 1e-9) {
                continue;
            }
            int x0 = Math.max(0, (int) Math.floor(Math.min(ax, Math.min(bx, cx))));
            int x1 = Math.min(n - 1, (int) Math.ceil(Math.max(ax, Math.max(bx, cx))));
            int y0 = Math.max(0, (int) Math.floor(Math.min(ay, Math.min(by, cy))));
            int y1 = Math.min(n - 1, (int) Math.ceil(Math.max(ay, Math.max(by, cy))));
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    double l0 = ((by - cy) * (x - cx) + (cx - bx) * (y - cy)) / d;
                    double l1 = ((cy - ay) * (x - cx) + (ax - cx) * (y - cy)) / d;
                    double l2 = 1 - l0 - l1;
                    if (l0 < -1e-7 || l1 < -1e-7 || l2 < -1e-7) {
                        continue;
                    }
                    int p = y * n + x;
                    pos[3 * p] = (float) (l0 * img[2 * a] + l1 * img[2 * b] + l2 * img[2 * c]);
                    pos[3 * p + 1] = (float) (l0 * img[2 * a + 1] + l1 * img[2 * b + 1] + l2 * img[2 * c + 1]);
                }
            }
        }
        return pos;
    }

    static double[] shape() throws IOException {
        return FaceShape.imagePoints(Fma3dTest.fma3dLandmarks());
    }

    static double iou(FaceImage a, FaceImage b) {
        int both = 0, either = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            boolean x = (a.pixels()[i] & 0xff) > 127, y = (b.pixels()[i] & 0xff) > 127;
            both += x && y ? 1 : 0;
            either += x || y ? 1 : 0;
        }
        return (double) both / either;
    }

    @Test
    void faceIndIsFma3dsAndTheMeshCoversItsCells() {
        // FMA-3D's face_ind.txt: 43,867 indices from 1285 to 51603
        assertEquals(43_867, UvFace.FACE_IND.length);
        assertEquals(1285, UvFace.FACE_IND[0]);
        assertEquals(51_603, UvFace.FACE_IND[UvFace.FACE_IND.length - 1]);
        // half-cells with all three corners in the face: 86,907 (PRNet's own triangles.txt has 86,906)
        assertEquals(86_907, UvFace.TRIANGLES.length / 3);
        for (int k = 0; k < UvFace.TRIANGLES.length; k += 3) {
            int a = UvFace.FACE_IND[UvFace.TRIANGLES[k]], b = UvFace.FACE_IND[UvFace.TRIANGLES[k + 1]];
            int c = UvFace.FACE_IND[UvFace.TRIANGLES[k + 2]];
            assertTrue(Math.abs(a % 256 - b % 256) <= 1 && Math.abs(a / 256 - c / 256) <= 1 && a != b && b != c,
                    "triangle " + k / 3);
        }
    }

    /**
     * Step 2 against skimage ({@code prnet_crop.npz}: {@code estimate_transform('similarity', ...)}'s matrix
     * for the 68 points of test1's face, and {@code warp}'s RGB crop at every 8th pixel), and step 4 as T⁻¹.
     */
    @Test
    void theCropIsFma3ds() throws IOException {
        io.facex.weights.StateDict ref = io.facex.weights.Npz.read(PrnetFixture.resource("prnet_crop.npz"));
        double[] t = ref.require("T").toDoubleArray();
        UvCrop crop = UvCrop.around(shape());
        assertEquals(t[0], crop.scale(), 1e-9);
        assertEquals(t[4], crop.scale(), 1e-9);
        assertEquals(t[2], crop.tx(), 1e-9);
        assertEquals(t[5], crop.ty(), 1e-9);
        float[] expected = ref.require("crop_every_8th").toFloatArray();
        float[] ours = crop.input(PHOTO);
        int plane = Prnet.SIZE * Prnet.SIZE, k = 0;
        double max = 0, mean = 0;
        for (int y = 0; y < Prnet.SIZE; y += 8) {
            for (int x = 0; x < Prnet.SIZE; x += 8) {
                for (int c = 0; c < 3; c++, k++) {
                    double d = Math.abs(ours[c * plane + y * Prnet.SIZE + x] - expected[k]);
                    max = Math.max(max, d);
                    mean += d / expected.length;
                }
            }
        }
        System.out.printf("crop vs skimage: mean |diff| %.4f, max %.4f (of 1)%n", mean, max);
        // measured: mean 0.0001, max 0.0036 (JPEG decoders, border rows); a channel swap or a pixel of shift is far more
        assertTrue(mean < 0.5 / 255 && max < 4.0 / 255, "mean " + mean + " max " + max);
        // step 4: a position map holding crop coordinates comes back to photo coordinates through T⁻¹
        float[] sigmoid = new float[3 * plane];
        Arrays.fill(sigmoid, 0, plane, (float) (100 / UvCrop.MAX_POS));
        Arrays.fill(sigmoid, plane, 2 * plane, (float) (50 / UvCrop.MAX_POS));
        Arrays.fill(sigmoid, 2 * plane, 3 * plane, (float) (30 / UvCrop.MAX_POS));
        float[] pos = crop.positions(sigmoid);
        assertEquals((100 - t[2]) / t[0], pos[0], 1e-3);
        assertEquals((50 - t[5]) / t[0], pos[1], 1e-3);
        assertEquals(30 / t[0], pos[2], 1e-3);
    }

    /** Two overlapping triangles, drawn in both orders: the nearer one's colour wins where they overlap. */
    @Test
    void theZBufferKeepsTheNearerTriangle() {
        float[] xyz = {
            0, 0, 1, 10, 0, 1, 0, 10, 1,       // far: 0-1-2, z = 1
            2, 2, 5, 12, 2, 5, 2, 12, 5,       // near: 3-4-5, z = 5
        };
        float[] colour = {0, 0, 0, 1, 1, 1};
        for (int[] order : new int[][] {{0, 1, 2, 3, 4, 5}, {3, 4, 5, 0, 1, 2}}) {
            ZBuffer.Frame f = ZBuffer.render(xyz, order, colour, 1, 20, 20);
            assertEquals(1, f.value(4, 4, 0), 0, "overlap, order " + Arrays.toString(order));
            assertEquals(0, f.value(1, 1, 0), 0, "far only");
            assertEquals(1, f.value(9, 3, 0), 0, "near only");
            assertTrue(f.covers(1, 1) && f.covers(9, 3) && !f.covers(15, 15));
        }
        // the barycentric rule: u + v < 1 leaves the hypotenuse out, the two legs in
        ZBuffer.Frame f = ZBuffer.render(xyz, new int[] {0, 1, 2}, colour, 1, 20, 20);
        assertTrue(f.covers(0, 0) && f.covers(0, 9) && f.covers(9, 0) && !f.covers(5, 5));
    }

    @Test
    void theMaskLandsOnTheLowerFace() throws IOException {
        float[] pos = knownPositions(shape());
        for (int t = 0; t < MaskTemplates.BUNDLED; t++) {
            long t0 = System.nanoTime();
            FaceImage[] out = UvPath.apply(PHOTO, pos, MaskTemplates.get("", t), NO_GAIN, false);
            System.out.printf("UV path without PRNet (texture, blend, z-buffer, composition): %.1f ms%n",
                    (System.nanoTime() - t0) / 1e6);
            Fma3dTest.preview(new MaskedFace(out[0], out[1], t), "uv_known_t" + t);
            FaceImage m = out[0];
            double mouth = change(PHOTO, m, 210, 300, 15), nose = change(PHOTO, m, 207, 262, 6);
            double chin = change(PHOTO, m, 210, 345, 10);
            double eyes = Math.max(change(PHOTO, m, 154, 202, 10), change(PHOTO, m, 251, 198, 10));
            double forehead = change(PHOTO, m, 205, 130, 25), other = change(PHOTO, m, 610, 170, 60);
            String at = String.format("template %d: mouth %.1f nose %.1f chin %.1f eyes %.2f forehead %.2f other %.2f",
                    t, mouth, nose, chin, eyes, forehead, other);
            System.out.println("UV path, known geometry, " + at);
            assertTrue(mouth > 20 && nose > 20 && chin > 20, at);
            assertTrue(eyes < 2, at);
            assertEquals(0, forehead, 0, at);
            assertEquals(0, other, 0, at);
        }
    }

    /** The same geometry through both paths: the rendered mask is the warped one, up to z-buffer and feathering. */
    @Test
    void itAgreesWithTheTwoDimensionalFallback() throws IOException {
        float[] pos = knownPositions(shape());
        double worst = 1;
        for (int t = 0; t < MaskTemplates.BUNDLED; t++) {
            FaceImage uv = UvPath.apply(PHOTO, pos, MaskTemplates.get("", t), NO_GAIN, false)[1];
            FaceImage flat = MASKER.addMask(PHOTO, Fma3dTest.fma3dLandmarks(), t, 0, Fma3dTest.config()).alpha();
            double iou = iou(uv, flat);
            System.out.printf("UV path vs 2-D fallback, template %d: IoU %.4f%n", t, iou);
            worst = Math.min(worst, iou);
        }
        assertTrue(worst > IOU_FLOOR, "worst IoU " + worst);
    }

    /** Measured: 0.9735 (template 6) to 0.9945 on the eight templates; the floor leaves a margin. */
    static final double IOU_FLOOR = 0.95;

    /** FMA-3D's composition re-renders the whole face: the skin changes a little, the mask as before. */
    @Test
    void wholeFaceReRendersTheSkin() throws IOException {
        float[] pos = knownPositions(shape());
        FaceImage[] mask = UvPath.apply(PHOTO, pos, MaskTemplates.get("", 0), NO_GAIN, false);
        FaceImage[] face = UvPath.apply(PHOTO, pos, MaskTemplates.get("", 0), NO_GAIN, true);
        assertArrayEquals(mask[1].pixels(), face[1].pixels());
        double forehead = change(PHOTO, face[0], 205, 150, 15);
        System.out.printf("whole face: forehead changes by %.2f%n", forehead);
        assertTrue(forehead > 0 && forehead < 15, "forehead " + forehead);
        assertTrue(change(mask[0], face[0], 210, 300, 10) < 3, "an opaque mask is the template either way");
        assertEquals(0, change(PHOTO, face[0], 610, 170, 60), 0);
    }

    /** The network's path through addMask, on the parity fixture's random weights. */
    @Test
    void addMaskRunsPrnetFromPrnetPath(@TempDir Path dir) throws IOException {
        Path weights = PrnetFixture.write(dir.resolve("prnet.npz"));
        Fma3d.Config c = config(weights.toString());
        float[] lm = Fma3dTest.fma3dLandmarks();
        MaskedFace a = MASKER.addMask(PHOTO, lm, -1, 7, c);
        MaskedFace b = MASKER.addMask(PHOTO, lm, -1, 7, c);
        assertEquals(PHOTO.width(), a.image().width());
        assertEquals(PHOTO.height(), a.image().height());
        assertEquals(PHOTO.channels(), a.image().channels());
        assertEquals(a.template(), b.template());
        assertArrayEquals(a.image().pixels(), b.image().pixels());
        assertArrayEquals(a.alpha().pixels(), b.alpha().pixels());
        assertFalse(Arrays.equals(PHOTO.pixels(), a.image().pixels()), "something was drawn");
        FaceImage five = MASKER.addMask(PHOTO, Fma3dTest.FIVE, 2, 7, c).image();
        assertEquals(PHOTO.pixels().length, five.pixels().length);
        // one call on a 640x480 photo, network loaded
        FaceImage vga;
        try (Mat m = ImageOps.fromHwc(PHOTO.pixels(), PHOTO.height(), PHOTO.width(), 3); Mat r = ImageOps.resize(m, 640, 480)) {
            vga = new FaceImage(640, 480, 3, ImageOps.toHwc(r));
        }
        float[] scaled = lm.clone();
        for (int i = 0; i < scaled.length; i += 2) {
            scaled[i] *= 640f / PHOTO.width();
            scaled[i + 1] *= 480f / PHOTO.height();
        }
        long t0 = System.nanoTime();
        MaskedFace v = MASKER.addMask(vga, scaled, 0, 7, c);
        System.out.printf("UV path addMask on 640x480: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals(640, v.image().width());
    }

    @Test
    void aMissingOrTruncatedPrnetFileIsNamed(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nowhere.pth");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> MASKER.addMask(PHOTO, Fma3dTest.FIVE, 0, 0, config(missing.toString())));
        assertTrue(e.getMessage().contains("prnet_path") && e.getMessage().contains("nowhere.pth"), e.getMessage());
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        e = assertThrows(InvalidConfigException.class, () -> MASKER.addMask(PHOTO, Fma3dTest.FIVE, 0, 0, config(cut.toString())));
        assertTrue(e.getMessage().contains("cut.safetensors"), e.getMessage());
    }

    static Fma3d.Config config(String prnet) {
        Fma3d.Config d = Fma3dTest.config();
        return new Fma3d.Config(d.templateDir(), d.colorJitter(), d.feather(), d.minEyeRatio(), prnet, false);
    }
}
