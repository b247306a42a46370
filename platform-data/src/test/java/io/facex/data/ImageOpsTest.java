package io.facex.data;

import io.facex.api.Augmentation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageOpsTest {

    @TempDir
    Path dir;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageOpsTest.class.getResourceAsStream("/images/" + name)) {
            return in.readAllBytes();
        }
    }

    /** ImageIO's pixels as BGR HWC bytes. */
    private static byte[] bgr(BufferedImage img) {
        byte[] out = new byte[img.getWidth() * img.getHeight() * 3];
        for (int y = 0, i = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++, i += 3) {
                int rgb = img.getRGB(x, y);
                out[i] = (byte) rgb;
                out[i + 1] = (byte) (rgb >> 8);
                out[i + 2] = (byte) (rgb >> 16);
            }
        }
        return out;
    }

    @Test
    void decodesRealJpegWithRightSizeAndBgrOrder() throws IOException {
        byte[] jpeg = resource("facexzoo_test1.jpg");
        BufferedImage reference = ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        try (Mat m = ImageOps.decode(jpeg, "facexzoo_test1.jpg")) {
            assertEquals(418, m.rows());
            assertEquals(818, m.cols());
            assertEquals(3, m.channels());
            byte[] cv = ImageOps.toHwc(m);
            byte[] io = bgr(reference);
            // Two JPEG decoders differ by rounding only; with the channels swapped they differ a lot.
            double same = meanAbsDiff(cv, io, false);
            double swapped = meanAbsDiff(cv, io, true);
            assertTrue(same < 2.0, "mean |OpenCV - ImageIO| = " + same);
            assertTrue(swapped > 5 * same + 2, "swapped " + swapped + " vs " + same);
        }
        // Lossless: a PNG written by ImageIO decodes to exactly ImageIO's pixels, in BGR order.
        Path png = dir.resolve("test1.png");
        ImageIO.write(reference, "png", png.toFile());
        try (Mat m = ImageOps.read(png)) {
            assertArrayEquals(bgr(reference), ImageOps.toHwc(m));
        }
    }

    private static double meanAbsDiff(byte[] a, byte[] b, boolean swapRB) {
        long sum = 0;
        for (int i = 0; i < a.length; i += 3) {
            for (int c = 0; c < 3; c++) {
                int cb = swapRB ? 2 - c : c;
                sum += Math.abs((a[i + c] & 0xff) - (b[i + cb] & 0xff));
            }
        }
        return (double) sum / a.length;
    }

    @Test
    void corruptAndEmptyFilesNameTheFile() throws IOException {
        Path bad = dir.resolve("corrupt.jpg");
        Files.write(bad, "this is not a jpeg at all".getBytes());
        BadImageException e = assertThrows(BadImageException.class, () -> ImageOps.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ": cannot decode image"), e.getMessage());
        assertEquals(bad.toString(), e.source());
        Path empty = dir.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(BadImageException.class, () -> ImageOps.read(empty)).getMessage().startsWith(empty + ": "));
        byte[] truncatedHeader = java.util.Arrays.copyOf(resource("facexzoo_test1.jpg"), 20);
        assertThrows(BadImageException.class, () -> ImageOps.decode(truncatedHeader, "t.jpg"));
    }

    @Test
    void normalisationConstantsAndChwLayout() {
        assertEquals(127.5f, ImageOps.MEAN);
        assertEquals(1 / 128f, ImageOps.SCALE);
        // 1 x 2 image, BGR pixels (0, 128, 255) and (127, 1, 254)
        try (Mat m = ImageOps.fromHwc(new byte[] {0, (byte) 128, (byte) 255, 127, 1, (byte) 254}, 1, 2, 3)) {
            float[] out = new float[8];
            out[7] = 42;
            ImageOps.toChw(m, out, 1, false);
            float[] expected = {0, -127.5f / 128, -0.5f / 128, 0.5f / 128, -126.5f / 128, 127.5f / 128, 126.5f / 128, 42};
            expected[0] = out[0];
            assertArrayEquals(expected, out);
            assertEquals(-0.99609375f, out[1]);
            assertEquals(0.99609375f, out[5]);
        }
    }

    @Test
    void grayGoesToChannelZeroOrAllChannels() {
        // pure red in BGR: gray = round(0.299 * 255) = 76
        try (Mat red = ImageOps.fromHwc(new byte[] {0, 0, (byte) 255}, 1, 1, 3); Mat g = ImageOps.gray(red)) {
            assertEquals(1, g.channels());
            assertEquals(76, ImageOps.toHwc(g)[0] & 0xff);
            float[] faceXZoo = new float[3];
            ImageOps.toChw(g, faceXZoo, 0, false);
            assertArrayEquals(new float[] {(76 - 127.5f) / 128, 0, 0}, faceXZoo);
            float[] replicated = new float[3];
            ImageOps.toChw(g, replicated, 0, true);
            float v = (76 - 127.5f) / 128;
            assertArrayEquals(new float[] {v, v, v}, replicated);
        }
    }

    private static Mat ramp(int rows, int cols) {
        byte[] px = new byte[rows * cols];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i + 1);
        }
        return ImageOps.fromHwc(px, rows, cols, 1);
    }

    @Test
    void flipMirrorsColumns() {
        try (Mat m = ImageOps.fromHwc(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 3);
             Mat f = ImageOps.flipHorizontal(m)) {
            assertArrayEquals(new byte[] {4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9}, ImageOps.toHwc(f));
        }
    }

    @Test
    void cropIsNumpySlicingRowsThenColumns() {
        try (Mat m = ramp(4, 5); Mat c = ImageOps.crop(m, 1, 3, 2, 5)) {
            // rows 1..2, cols 2..4 of 1..20 laid out row-major
            assertArrayEquals(new byte[] {8, 9, 10, 13, 14, 15}, ImageOps.toHwc(c));
            float[] out = new float[3 * 6];
            ImageOps.toChw(c, out, 0, true); // a non-continuous view normalises correctly
            assertEquals((14 - 127.5f) / 128, out[4]);
        }
        try (Mat m = ramp(4, 5)) {
            assertThrows(IllegalArgumentException.class, () -> ImageOps.crop(m, 0, 5, 0, 2));
        }
    }

    @Test
    void rotationIsAboutTheTopLeftCorner() {
        try (Mat m = ramp(5, 5)) {
            try (Mat same = ImageOps.rotate(m, 0)) {
                assertArrayEquals(ImageOps.toHwc(m), ImageOps.toHwc(same));
            }
            // +90 degrees maps (x, y) to (-y, x): only column 0 stays in view, holding source row 0.
            try (Mat r = ImageOps.rotate(m, 90)) {
                byte[] px = ImageOps.toHwc(r);
                for (int y = 0; y < 5; y++) {
                    assertEquals(y + 1, px[y * 5], "dst(0," + y + ")");
                    for (int x = 1; x < 5; x++) {
                        assertEquals(0, px[y * 5 + x], "dst(" + x + "," + y + ") is border");
                    }
                }
            }
            // -90 degrees: only row 0 stays, holding source column 0.
            try (Mat r = ImageOps.rotate(m, -90)) {
                byte[] px = ImageOps.toHwc(r);
                for (int x = 0; x < 5; x++) {
                    assertEquals(1 + 5 * x, px[x], "dst(" + x + ",0)");
                }
                assertEquals(0, px[5 + 1]);
            }
        }
    }

    @Test
    void resizeKeepsAConstantImageConstant() {
        byte[] px = new byte[8 * 6 * 3];
        java.util.Arrays.fill(px, (byte) 77);
        try (Mat m = ImageOps.fromHwc(px, 8, 6, 3); Mat r = ImageOps.resize(m, 11, 13)) {
            assertEquals(13, r.rows());
            assertEquals(11, r.cols());
            for (byte b : ImageOps.toHwc(r)) {
                assertEquals(77, b);
            }
        }
    }

    @Test
    void pipelineCropUsesRowsForXAndColumnsForY() throws IOException {
        int size = 32;
        byte[] px = new byte[size * size * 3];
        new SplittableRandom(5).nextBytes(px);
        Augmentation cropOnly = Augmentation.none().withCrop(1.0, 9);
        try (Mat img = ImageOps.fromHwc(px, size, size, 3);
             ImagePipeline p = new ImagePipeline(cropOnly, size, size, false)) {
            float[] got = new float[p.sampleLength()];
            p.process(img, "x", Seeds.random(9, 1), got, 0);
            // Replay the same draws by hand: decision, x1, y1, x2, y2.
            SplittableRandom r = Seeds.random(9, 1);
            assertTrue(r.nextDouble() < 1.0);
            int x1 = r.nextInt(9);
            int y1 = r.nextInt(9);
            int x2 = size - 9 + r.nextInt(9);
            int y2 = size - 9 + r.nextInt(9);
            try (Mat view = ImageOps.crop(img, x1, x2, y1, y2); Mat back = ImageOps.resize(view, size, size)) {
                float[] expected = new float[p.sampleLength()];
                ImageOps.toChw(back, expected, 0, false);
                assertArrayEquals(expected, got);
            }
        }
    }

    @Test
    void pipelineFlipAndNoneAreExact() throws IOException {
        byte[] px = new byte[4 * 4 * 3];
        new SplittableRandom(1).nextBytes(px);
        try (Mat img = ImageOps.fromHwc(px, 4, 4, 3);
             Mat flipped = ImageOps.flipHorizontal(img);
             ImagePipeline flip = new ImagePipeline(Augmentation.none().withFlip(1.0), 4, 4, false);
             ImagePipeline none = new ImagePipeline(Augmentation.none(), 4, 4, false)) {
            float[] a = new float[48];
            float[] b = new float[48];
            flip.process(img, "x", new SplittableRandom(0), a, 0);
            ImageOps.toChw(flipped, b, 0, false);
            assertArrayEquals(b, a);
            none.process(img, "x", null, a, 0);
            ImageOps.toChw(img, b, 0, false);
            assertArrayEquals(b, a);
        }
    }

    @Test
    void pipelineRejectsOrResizesWrongSizes() throws IOException {
        try (Mat img = ImageOps.fromHwc(new byte[6 * 5 * 3], 6, 5, 3);
             ImagePipeline strict = new ImagePipeline(Augmentation.none(), 4, 4, false);
             ImagePipeline lenient = new ImagePipeline(Augmentation.none(), 4, 4, true)) {
            BadImageException e = assertThrows(BadImageException.class,
                    () -> strict.process(img, "a.jpg", null, new float[48], 0));
            assertEquals("a.jpg: image is 5x6 pixels, expected 4x4 (the model's input: crop and align faces to that size first)",
                    e.getMessage());
            float[] out = new float[48];
            lenient.process(img, "a.jpg", null, out, 0);
            assertEquals(-127.5f / 128, out[47]);
        }
    }

    @Test
    void pipelineDecodesBytesAndNamesCorruptSource() throws IOException {
        byte[] jpeg = resource("facexzoo_test1.jpg");
        try (ImagePipeline p = new ImagePipeline(Augmentation.semiSiamese(), 112, 112, true)) {
            float[] out = new float[2 * p.sampleLength()];
            p.process(jpeg, jpeg.length, "test1.jpg", new SplittableRandom(3), out, p.sampleLength());
            for (float v : out) {
                assertTrue(v >= -1 && v <= 1);
            }
            byte[] junk = new byte[100];
            BadImageException e = assertThrows(BadImageException.class,
                    () -> p.process(junk, junk.length, "data/x.jpg", null, out, 0));
            assertTrue(e.getMessage().startsWith("data/x.jpg: cannot decode"), e.getMessage());
        }
    }
}
