package io.facex.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_RST_INTERVAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facex.api.Augmentation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageHeaderTest {

    @TempDir
    Path dir;

    private static byte[] photo() throws IOException {
        try (InputStream in = ImageHeaderTest.class.getResourceAsStream("/images/facexzoo_test1.jpg")) {
            return in.readAllBytes();
        }
    }

    /** The photo re-encoded by OpenCV under {@code name} (the extension picks the format) with writer params. */
    private byte[] encoded(String name, int... params) throws IOException {
        Path file = dir.resolve(name);
        try (Mat m = ImageOps.decode(photo(), "photo"); IntPointer p = new IntPointer(params)) {
            assertTrue(opencv_imgcodecs.imwrite(file.toString(), m, p), name);
        }
        return Files.readAllBytes(file);
    }

    private static BadImageException refused(byte[] bytes, long maxPixels) {
        return assertThrows(BadImageException.class, () -> ImageHeader.check(bytes, bytes.length, "x", maxPixels));
    }

    @Test
    void wholeImagesPassWithTheirSize() throws IOException {
        byte[] jpeg = photo();
        assertEquals(new ImageHeader("JPEG", 818, 418), ImageHeader.check(jpeg, jpeg.length, "p", Long.MAX_VALUE));
        for (String name : new String[] {"a.png", "a.bmp"}) {
            byte[] b = encoded(name);
            ImageHeader h = ImageHeader.check(b, b.length, name, Long.MAX_VALUE);
            assertEquals(818, h.width(), name);
            assertEquals(418, h.height(), name);
        }
        // Progressive scans and restart markers are part of well-formed JPEGs, not damage.
        byte[] progressive = encoded("p.jpg", IMWRITE_JPEG_PROGRESSIVE, 1);
        byte[] restarts = encoded("r.jpg", IMWRITE_JPEG_RST_INTERVAL, 4);
        assertEquals("JPEG", ImageHeader.check(progressive, progressive.length, "p", Long.MAX_VALUE).format());
        assertEquals("JPEG", ImageHeader.check(restarts, restarts.length, "r", Long.MAX_VALUE).format());
        // Formats not walked here are left to OpenCV.
        byte[] ppm = encoded("a.ppm");
        assertNull(ImageHeader.check(ppm, ppm.length, "a.ppm", Long.MAX_VALUE).format());
    }

    @Test
    void everyTruncationOfAJpegIsRefused() throws IOException {
        byte[] jpeg = photo();
        byte[] progressive = encoded("p.jpg", IMWRITE_JPEG_PROGRESSIVE, 1);
        for (byte[] whole : new byte[][] {jpeg, progressive}) {
            for (int cut = 3; cut < whole.length; cut += Math.max(1, whole.length / 97)) {
                BadImageException e = refused(Arrays.copyOf(whole, cut), Long.MAX_VALUE);
                assertTrue(e.problem().startsWith("truncated JPEG") || e.problem().startsWith("corrupt JPEG"), e.problem());
            }
            // The last two bytes are the end-of-image marker: without them libjpeg would still "succeed".
            assertTrue(refused(Arrays.copyOf(whole, whole.length - 2), Long.MAX_VALUE).problem()
                    .startsWith("truncated JPEG: the file ends after"));
        }
    }

    @Test
    void truncatedOrDamagedPngAndBmpAreRefused() throws IOException {
        byte[] png = encoded("a.png");
        assertTrue(refused(Arrays.copyOf(png, png.length / 2), Long.MAX_VALUE).problem().startsWith("truncated PNG"));
        assertTrue(refused(Arrays.copyOf(png, png.length - 1), Long.MAX_VALUE).problem().startsWith("truncated PNG"));
        byte[] flipped = png.clone();
        flipped[png.length / 2] ^= 0x10;
        assertTrue(refused(flipped, Long.MAX_VALUE).problem().contains("fails its checksum"));
        byte[] bmp = encoded("a.bmp");
        assertTrue(refused(Arrays.copyOf(bmp, bmp.length - 100), Long.MAX_VALUE).problem().startsWith("truncated BMP"));
    }

    @Test
    void aHugeHeaderIsRefusedBeforeDecodingAndTheLimitIsNamed() throws IOException {
        byte[] jpeg = photo();
        // A 30000x30000 frame header on a small file: refused from the header, no 2.7 GB buffer.
        byte[] bomb = jpeg.clone();
        int sof = frameHeader(bomb);
        bomb[sof + 5] = (byte) (30000 >> 8);
        bomb[sof + 6] = (byte) 30000;
        bomb[sof + 7] = (byte) (30000 >> 8);
        bomb[sof + 8] = (byte) 30000;
        BadImageException e = refused(bomb, ImageHeader.DEFAULT_MAX_PIXELS);
        assertEquals("image is 30000x30000 pixels (900,000,000), more than the limit of 50,000,000; refused before "
                + "decoding (raise it with --max_image_pixels if such images are meant)", e.problem());
        // The limit is the user's: the real photo passes by default and is refused below its size.
        assertTrue(refused(jpeg, 818 * 418 - 1).problem().contains("818x418"));
        try (Mat m = ImageOps.decode(jpeg, "p", 818 * 418)) {
            assertEquals(818, m.cols());
        }
        // A format only OpenCV reads is measured after decoding, with the same message.
        byte[] ppm = encoded("a.ppm");
        assertTrue(assertThrows(BadImageException.class, () -> ImageOps.decode(ppm, "a.ppm", 1000)).problem()
                .contains("more than the limit of 1,000"));
    }

    @Test
    void thePipelineRefusesATruncatedJpegInsteadOfFillingItIn() throws IOException {
        byte[] jpeg = encoded("small.jpg");
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        float[] dst = new float[3 * 418 * 818];
        try (ImagePipeline p = new ImagePipeline(Augmentation.none(), 818, 418, false)) {
            p.process(jpeg, jpeg.length, "whole.jpg", null, dst, 0);
            float[] whole = dst.clone();
            BadImageException e = assertThrows(BadImageException.class,
                    () -> p.process(cut, cut.length, "cut.jpg", null, dst, 0));
            assertEquals("cut.jpg", e.source());
            assertTrue(e.problem().startsWith("truncated JPEG"), e.problem());
            // The refused image left nothing behind: the next whole one decodes as before.
            p.process(jpeg, jpeg.length, "whole.jpg", null, dst, 0);
            assertArrayEquals(whole, dst);
        }
    }

    /** Offset of the first start-of-frame marker's 0xFF. */
    private static int frameHeader(byte[] b) {
        int i = 2;
        while (true) {
            int m = b[i + 1] & 0xFF;
            if (m == 0xC0 || m == 0xC1 || m == 0xC2) {
                return i;
            }
            i += 2 + (((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF));
        }
    }
}
