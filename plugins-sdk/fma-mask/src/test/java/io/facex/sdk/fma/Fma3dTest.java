package io.facex.sdk.fma;

import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.MaskAdder;
import io.facex.api.sdk.MaskNotFittedException;
import io.facex.api.sdk.MaskedFace;
import io.facex.data.ImageOps;
import io.facex.testkit.PluginContract;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract, then the mask on FaceX-Zoo's test photo (test1.jpg, whose first face has the spec's
 * RetinaFace-style five points and FMA-3D's own 106 points): where it lands, that it turns with the face,
 * that a seed fixes it, and the refusals.
 */
class Fma3dTest extends PluginContract<Fma3d.Config> {

    /** The spec's §6.4 golden five points of test1's first face. */
    static final float[] FIVE = {154, 202, 251, 198, 207, 260, 158, 303, 262, 298};

    static final Fma3d MASKER = new Fma3d();
    static final FaceImage PHOTO = photo();

    Fma3dTest() {
        super(new Fma3d());
    }

    static Fma3d.Config config() {
        return MASKER.defaultConfig();
    }

    static FaceImage photo() {
        try (InputStream in = Fma3dTest.class.getResourceAsStream("/facexzoo_test1.jpg");
             Mat m = ImageOps.decode(in.readAllBytes(), "facexzoo_test1.jpg")) {
            return new FaceImage(m.cols(), m.rows(), m.channels(), ImageOps.toHwc(m));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** FMA-3D's Data/test-data/test1_landmark.txt: 106 points of the same face. */
    static float[] fma3dLandmarks() throws IOException {
        try (InputStream in = Fma3dTest.class.getResourceAsStream("/fma3d_test1_landmark.txt")) {
            String[] v = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = Float.parseFloat(v[i]);
            }
            return out;
        }
    }

    /** Mean absolute change of the photo's values in the box centred at (cx, cy), half-side r. */
    static double change(FaceImage a, FaceImage b, int cx, int cy, int r) {
        double sum = 0;
        int n = 0;
        for (int y = cy - r; y <= cy + r; y++) {
            for (int x = cx - r; x <= cx + r; x++) {
                for (int c = 0; c < a.channels(); c++) {
                    int i = (y * a.width() + x) * a.channels() + c;
                    sum += Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff));
                    n++;
                }
            }
        }
        return sum / n;
    }

    static void preview(MaskedFace m, String name) {
        String dir = System.getProperty("fma.preview");
        if (dir != null) {
            try (Mat out = ImageOps.fromHwc(m.image().pixels(), m.image().height(), m.image().width(), m.image().channels())) {
                opencv_imgcodecs.imwrite(Path.of(dir, name + ".png").toString(), out);
            }
        }
    }

    private static void assertLowerFaceMasked(FaceImage masked, String what) {
        double mouth = change(PHOTO, masked, 210, 300, 15);
        double noseTip = change(PHOTO, masked, 207, 262, 6);
        double chin = change(PHOTO, masked, 210, 345, 10);
        double leftEye = change(PHOTO, masked, 154, 202, 10);
        double rightEye = change(PHOTO, masked, 251, 198, 10);
        double forehead = change(PHOTO, masked, 205, 130, 25);
        double otherFace = change(PHOTO, masked, 610, 170, 60);
        String at = String.format("%s: mouth %.1f nose tip %.1f chin %.1f, eyes %.2f %.2f forehead %.2f other face %.2f",
                what, mouth, noseTip, chin, leftEye, rightEye, forehead, otherFace);
        assertTrue(mouth > 20 && noseTip > 20 && chin > 20, at);
        // the masks' top edge runs just under the eyes: its feathered fringe may touch the lower lid
        assertTrue(leftEye < 1 && rightEye < 1, at);
        assertEquals(0, forehead, 0.0, at);
        assertEquals(0, otherFace, 0.0, at);
    }

    @Test
    void fivePointsMaskTheMouthNoseAndChinAndLeaveEyesAndForeheadAlone() {
        MaskedFace m = MASKER.addMask(PHOTO, FIVE, 0, 0, config());
        preview(m, "five_t0");
        assertEquals(0, m.template());
        assertLowerFaceMasked(m.image(), "5 points");
        // the alpha says the same: opaque on the mouth, nothing on the eyes
        assertEquals(255, m.alpha().pixels()[300 * PHOTO.width() + 210] & 0xff);
        assertEquals(0, m.alpha().pixels()[202 * PHOTO.width() + 154] & 0xff);
    }

    @Test
    void the106PointsOfFma3dMaskTheSameRegion() throws IOException {
        for (int t = 0; t < MaskTemplates.BUNDLED; t++) {
            MaskedFace m = MASKER.addMask(PHOTO, fma3dLandmarks(), t, 0, config());
            preview(m, "fma106_t" + t);
            assertLowerFaceMasked(m.image(), "106 points, template " + t);
        }
    }

    /** The photo and its landmarks turned by 30° about the face: the mask turns with them. */
    @Test
    void theMaskFollowsARotation() {
        double[] m = rotation(207, 260, 30);
        float[] turned = new float[FIVE.length];
        for (int i = 0; i < FIVE.length; i += 2) {
            turned[i] = (float) (m[0] * FIVE[i] + m[1] * FIVE[i + 1] + m[2]);
            turned[i + 1] = (float) (m[3] * FIVE[i] + m[4] * FIVE[i + 1] + m[5]);
        }
        MaskedFace upright = MASKER.addMask(PHOTO, FIVE, 3, 0, config());
        MaskedFace rotated = MASKER.addMask(warp(PHOTO, m), turned, 3, 0, config());
        preview(rotated, "rotated30");
        FaceImage expected = warp(upright.alpha(), m);
        int both = 0, either = 0;
        for (int i = 0; i < expected.pixels().length; i++) {
            boolean a = (expected.pixels()[i] & 0xff) > 127, b = (rotated.alpha().pixels()[i] & 0xff) > 127;
            both += a && b ? 1 : 0;
            either += a || b ? 1 : 0;
        }
        double iou = (double) both / either;
        assertTrue(either > 10_000, "mask area " + either);
        assertTrue(iou > 0.97, "IoU of the turned mask with the mask on the turned photo: " + iou);
        // and it did turn: the unturned mask overlaps the turned one much less
        int same = 0, any = 0;
        for (int i = 0; i < expected.pixels().length; i++) {
            boolean a = (upright.alpha().pixels()[i] & 0xff) > 127, b = (rotated.alpha().pixels()[i] & 0xff) > 127;
            same += a && b ? 1 : 0;
            any += a || b ? 1 : 0;
        }
        assertTrue((double) same / any < 0.85, "IoU with the upright mask " + (double) same / any);
    }

    static double[] rotation(double cx, double cy, double degrees) {
        double t = Math.toRadians(degrees), c = Math.cos(t), s = Math.sin(t);
        return new double[] {c, s, cx - c * cx - s * cy, -s, c, cy + s * cx - c * cy};
    }

    static FaceImage warp(FaceImage image, double[] m) {
        try (Mat src = ImageOps.fromHwc(image.pixels(), image.height(), image.width(), image.channels());
             Mat dst = new Mat(); DoublePointer p = new DoublePointer(m); Mat matrix = new Mat(2, 3, CV_64F, p);
             Size size = new Size(image.width(), image.height()); Scalar zero = new Scalar(0.0)) {
            opencv_imgproc.warpAffine(src, dst, matrix, size, INTER_LINEAR, BORDER_CONSTANT, zero);
            return new FaceImage(image.width(), image.height(), image.channels(), ImageOps.toHwc(dst));
        }
    }

    @Test
    void aSeedFixesTheTemplateAndColours() {
        Fma3d.Config jitter = new Fma3d.Config("", 0.4, 0.03, 0.3, "", false);
        MaskedFace a = MASKER.addMask(PHOTO, FIVE, MaskAdder.ANY_TEMPLATE, 42, jitter);
        MaskedFace b = MASKER.addMask(PHOTO, FIVE, MaskAdder.ANY_TEMPLATE, 42, jitter);
        assertEquals(a.template(), b.template());
        assertArrayEquals(a.image().pixels(), b.image().pixels());
        int[] seen = new int[MaskTemplates.BUNDLED];
        boolean coloursDiffer = false;
        for (long seed = 0; seed < 40; seed++) {
            MaskedFace m = MASKER.addMask(PHOTO, FIVE, MaskAdder.ANY_TEMPLATE, seed, jitter);
            seen[m.template()]++;
            MaskedFace fixed = MASKER.addMask(PHOTO, FIVE, 0, seed, jitter);
            MaskedFace plain = MASKER.addMask(PHOTO, FIVE, 0, seed, config());
            coloursDiffer |= change(fixed.image(), plain.image(), 210, 300, 15) > 5;
        }
        assertTrue(Arrays.stream(seen).allMatch(n -> n > 0), "every template drawn over 40 seeds: " + Arrays.toString(seen));
        assertTrue(coloursDiffer, "colour jitter changes the mask's colours");
    }

    @Test
    void landmarksOffTheImageAreRefused() {
        float[] off = FIVE.clone();
        off[0] = -40;
        MaskNotFittedException e = assertThrows(MaskNotFittedException.class, () -> MASKER.addMask(PHOTO, off, 0, 0, config()));
        assertTrue(e.getMessage().contains("outside the 818x418 image"), e.getMessage());
    }

    @Test
    void aProfileIsRefused() {
        // eyes 6 px apart above a mouth 100 px below: a face turned sideways
        float[] profile = {200, 200, 206, 200, 230, 250, 195, 300, 215, 300};
        MaskNotFittedException e = assertThrows(MaskNotFittedException.class, () -> MASKER.addMask(PHOTO, profile, 0, 0, config()));
        assertTrue(e.getMessage().startsWith("a profile face"), e.getMessage());
    }

    @Test
    void mirroredLandmarksFoldTheMeshAndAreRefused() {
        float[] mirrored = {251, 198, 154, 202, 207, 260, 262, 298, 158, 303};
        MaskNotFittedException e = assertThrows(MaskNotFittedException.class, () -> MASKER.addMask(PHOTO, mirrored, 0, 0, config()));
        assertTrue(e.getMessage().startsWith("the mask mesh folds over"), e.getMessage());
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> MASKER.addMask(PHOTO, new float[50], 0, 0, config()));
        assertTrue(count.getMessage().contains("got 50"), count.getMessage());
        IllegalArgumentException template = assertThrows(IllegalArgumentException.class,
                () -> MASKER.addMask(PHOTO, FIVE, 8, 0, config()));
        assertTrue(template.getMessage().contains("template 8 does not exist"), template.getMessage());
    }

    @Test
    void templateFoldersAreChecked(@TempDir Path dir) throws IOException {
        InvalidConfigException none = assertThrows(InvalidConfigException.class,
                () -> MASKER.validate(new Fma3d.Config(dir.toString(), 0, 0.03, 0.3, "", false)));
        assertTrue(none.getMessage().contains(dir.resolve("0.png").toString()), none.getMessage());
        // an RGB picture where an RGBA template is expected
        try (Mat rgb = ImageOps.fromHwc(new byte[256 * 256 * 3], 256, 256, 3)) {
            opencv_imgcodecs.imwrite(dir.resolve("0.png").toString(), rgb);
        }
        Fma3d.Config c = new Fma3d.Config(dir.toString(), 0, 0.03, 0.3, "", false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MASKER.addMask(PHOTO, FIVE, 0, 0, c));
        assertTrue(e.getMessage().startsWith(dir.resolve("0.png") + ": a mask template is 8-bit RGBA"), e.getMessage());
        // a folder of real templates works, and the count follows its files
        try (InputStream in = Fma3d.class.getResourceAsStream("masks/5.png")) {
            Files.copy(in, dir.resolve("0.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertEquals(1, MASKER.templates(c));
        assertLowerFaceMasked(MASKER.addMask(PHOTO, FIVE, 0, 0, c).image(), "template_dir");
    }

    /** The mesh reaches every part of every bundled template's mask: nothing of a mask is cut off. */
    @Test
    void theMeshCoversEveryTemplatesMask() {
        float[][] map = MeshWarp.uvMap(Mesh.UV, 0, 0, MaskTemplates.SIZE, MaskTemplates.SIZE);
        for (int t = 0; t < MaskTemplates.BUNDLED; t++) {
            byte[] bgra = MaskTemplates.get("", t).bgra();
            long total = 0, outside = 0;
            for (int i = 0; i < map[0].length; i++) {
                int a = bgra[4 * i + 3] & 0xff;
                total += a;
                outside += map[0][i] < 0 ? a : 0;
            }
            assertTrue(outside < 0.002 * total, "template " + t + ": " + outside + " of " + total + " alpha outside the mesh");
        }
        assertFalse(Mesh.TRIANGLES.length == 0);
    }

    /** FMA-3D's 106 → 68 selection (spec §7 step 1) on points that spell their own index: point k at (k, 2k). */
    @Test
    void the106PointsAreReducedAsFma3dDoes() {
        float[] p = new float[212];
        for (int k = 0; k < 106; k++) {
            p[2 * k] = k;
            p[2 * k + 1] = 2 * k;
        }
        double[] s = FaceShape.imagePoints(p);
        double[][] expected = {{0, 1.5}, {3, 7}, {6, 12.5}, {16, 30.5}, {17, 33}, {30, 54}, {48, 84}, {67, 103}};
        for (double[] e : expected) {
            int i = (int) e[0];
            assertEquals(e[1], s[2 * i], 1e-9, "68-point " + i);
            assertEquals(2 * e[1], s[2 * i + 1], 1e-9, "68-point " + i);
        }
    }
}
