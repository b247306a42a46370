package io.facex.data;

import io.facex.api.Augmentation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EyeCropTest {

    @TempDir
    Path dir;

    /** Random BGR bytes of a rows x cols x 3 image. */
    private static byte[] pixels(int rows, int cols, long seed) {
        byte[] px = new byte[rows * cols * 3];
        new SplittableRandom(seed).nextBytes(px);
        return px;
    }

    /** The sample FaceX-Zoo's {@code (image[:60, :].transpose(2, 0, 1) - 127.5) * 0.0078125} gives, computed by hand. */
    private static float[] expectedUpper(byte[] hwc, boolean mirrored) {
        float[] out = new float[3 * 60 * 112];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 60; y++) {
                for (int x = 0; x < 112; x++) {
                    int sx = mirrored ? 111 - x : x;
                    int v = hwc[(y * 112 + sx) * 3 + c] & 0xff;
                    out[(c * 60 + y) * 112 + x] = (v - 127.5f) * 0.0078125f;
                }
            }
        }
        return out;
    }

    @Test
    void pipelineTakesTheTopSixtyRowsOfTheAlignedFace() throws IOException {
        byte[] px = pixels(112, 112, 5);
        try (Mat face = ImageOps.fromHwc(px, 112, 112, 3);
             ImagePipeline eye = new ImagePipeline(Augmentation.none(), 112, 60, false, ImageHeader.DEFAULT_MAX_PIXELS, true)) {
            assertEquals(3 * 60 * 112, eye.sampleLength());
            float[] out = new float[eye.sampleLength() + 7];
            eye.process(face, "a.png", null, out, 7);
            float[] got = java.util.Arrays.copyOfRange(out, 7, out.length);
            assertArrayEquals(expectedUpper(px, false), got);
        }
    }

    @Test
    void flipAppliesToTheCropAsFaceXZooFlipsAfterCropping() throws IOException {
        byte[] px = pixels(112, 112, 6);
        try (Mat face = ImageOps.fromHwc(px, 112, 112, 3);
             ImagePipeline eye = new ImagePipeline(Augmentation.none().withFlip(1.0), 112, 60, false,
                     ImageHeader.DEFAULT_MAX_PIXELS, true)) {
            float[] out = new float[eye.sampleLength()];
            eye.process(face, "a.png", new SplittableRandom(0), out, 0);
            assertArrayEquals(expectedUpper(px, true), out);
        }
    }

    @Test
    void encodedFilesAreCroppedThroughTheLoader() throws IOException {
        Path root = dir.resolve("faces");
        byte[][] images = new byte[3][];
        for (int i = 0; i < 3; i++) {
            images[i] = pixels(112, 112, 10 + i);
            BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0, k = 0; y < 112; y++) {
                for (int x = 0; x < 112; x++, k += 3) {
                    img.setRGB(x, y, (images[i][k] & 0xff) | (images[i][k + 1] & 0xff) << 8 | (images[i][k + 2] & 0xff) << 16);
                }
            }
            Path p = root.resolve("id" + i).resolve("0.png");
            Files.createDirectories(p.getParent());
            ImageIO.write(img, "png", p.toFile());
        }
        TrainList list = TrainList.fromFolders(root);
        try (BatchLoader loader = BatchLoader.builder(list).batchSize(3).shuffle(false).imageSize(112, 60).cropEye(true)
                .augmentation(Augmentation.none()).workers(1).build();
             BatchLoader.Epoch e = loader.epoch(0);
             Batch b = e.next()) {
            assertEquals(3, b.size());
            float[] data = b.copyData();
            assertEquals(3 * 3 * 60 * 112, data.length);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expectedUpper(images[i], false),
                        java.util.Arrays.copyOfRange(data, i * 3 * 60 * 112, (i + 1) * 3 * 60 * 112), "image " + i);
            }
        }
    }

    @Test
    void facesOfAnotherSizeAreRefusedOrResizedToTheAlignedSizeFirst() throws IOException {
        byte[] px = pixels(224, 224, 7);
        try (Mat big = ImageOps.fromHwc(px, 224, 224, 3);
             Mat aligned = ImageOps.resize(big, 112, 112);
             ImagePipeline strict = new ImagePipeline(Augmentation.none(), 112, 60, false, ImageHeader.DEFAULT_MAX_PIXELS, true);
             ImagePipeline lenient = new ImagePipeline(Augmentation.none(), 112, 60, true, ImageHeader.DEFAULT_MAX_PIXELS, true)) {
            BadImageException e = assertThrows(BadImageException.class,
                    () -> strict.process(big, "b.jpg", null, new float[strict.sampleLength()], 0));
            assertTrue(e.getMessage().contains("image is 224x224 pixels, expected 112x112 (crop_eye"), e.getMessage());
            float[] got = new float[lenient.sampleLength()];
            lenient.process(big, "b.jpg", null, got, 0);
            assertArrayEquals(expectedUpper(ImageOps.toHwc(aligned), false), got);
        }
    }

    @Test
    void aNetworkOfAnotherInputSizeIsRefused() {
        assertNull(EyeCrop.mismatch(112, 60));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImagePipeline(Augmentation.none(), 112, 112, false, ImageHeader.DEFAULT_MAX_PIXELS, true));
        assertEquals("crop_eye gives 112x60 faces (the top 60 rows of the aligned 112x112 face), but the backbone takes "
                + "112x112 (for MobileFaceNet and the other FaceX-Zoo backbones set out_h: 4)", e.getMessage());
        assertTrue(ImagePipeline.resizesCropsFor(112, 60));
        assertTrue(!ImagePipeline.resizesCropsFor(112, 60, true));
    }
}
