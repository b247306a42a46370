package io.facex.sdk;

import io.facex.api.Backbone;
import io.facex.api.FaceImage;
import io.facex.api.sdk.DetectedFace;
import io.facex.core.registry.ServiceLoaderRegistry;
import io.facex.core.registry.UnknownPluginException;
import io.facex.core.sdk.FaceSdk;
import io.facex.core.sdk.Photo;
import io.facex.data.BadImageException;
import io.facex.testkit.InitialWeights;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The face SDK as a library: this module's one dependency on a plain class path (no OSGi), real
 * RetinaFace weights, OpenCV decoding and warping, a MobileFaceNet recogniser.
 */
class FaceSdkOnClassPathTest {

    @TempDir
    static Path dir;
    static Path photo;
    static FaceSdk sdk;

    @BeforeAll
    static void load() throws Exception {
        photo = dir.resolve("test1.jpg");
        try (var in = FaceSdkOnClassPathTest.class.getResourceAsStream("/facexzoo_test1.jpg")) {
            Files.copy(in, photo);
        }
        sdk = FaceSdk.builder().recognizer(mobileFaceNetWeights(dir.resolve("mobilefacenet.npz"))).backbone("MobileFaceNet").build();
    }

    @AfterAll
    static void close() {
        sdk.close();
    }

    static Path mobileFaceNetWeights(Path file) throws Exception {
        @SuppressWarnings("unchecked")
        Backbone<Object> net = new ServiceLoaderRegistry(FaceSdkOnClassPathTest.class.getClassLoader())
                .get(Backbone.class, "MobileFaceNet");
        return InitialWeights.write(net, file);
    }

    @Test
    void findsBothFacesOfTheSpecsPhotoAndEmbedsTheirCrops() throws Exception {
        Photo p = sdk.read(photo);
        assertEquals(1, p.scale());
        List<DetectedFace> faces = sdk.detect(p.image());
        assertEquals(2, faces.size(), faces.toString());
        // the spec's golden detections (FaceX-Zoo's SDK on test1.jpg), best first
        float[][] golden = {{96.449936f, 74.030655f, 318.95624f, 381.9057f}, {528.3818f, 59.160778f, 691.07324f, 275.6134f}};
        for (int i = 0; i < 2; i++) {
            DetectedFace f = faces.get(i);
            assertArrayEquals(golden[i], new float[] {f.x1(), f.y1(), f.x2(), f.y2()}, 1f);
            assertEquals(10, f.landmarks().length);
        }
        FaceImage crop = sdk.align(p.image(), faces.get(0));
        assertEquals(112, crop.width());
        assertEquals(112, crop.height());
        assertEquals(3, crop.channels());
        float[] a = sdk.embed(crop);
        float[] b = sdk.embed(sdk.align(p.image(), faces.get(1)));
        assertEquals(512, a.length);
        assertEquals(1.0, sdk.compare(a, a), 1e-5);
        assertTrue(sdk.compare(a, b) < 0.9999, "two different faces must not give the same feature");
        assertEquals(Map.of("detector", "RetinaFace", "landmarks", "RetinaFace (5 points)", "cropper", "FaceRecImageCropper",
                "recognizer", "MobileFaceNet (mobilefacenet.npz)"), sdk.describe());
    }

    /** Models are loaded once and shared: concurrent requests give exactly the features one caller gets. */
    @Test
    void concurrentRequestsGiveTheSameFeaturesAsOneCaller() throws Exception {
        FaceImage image = sdk.read(photo).image();
        List<DetectedFace> faces = sdk.detect(image);
        float[][] alone = {sdk.embed(sdk.align(image, faces.get(0))), sdk.embed(sdk.align(image, faces.get(1)))};
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    List<DetectedFace> found = sdk.detect(image);
                    return new float[][] {sdk.embed(sdk.align(image, found.get(0))), sdk.embed(sdk.align(image, found.get(1)))};
                }));
            }
            for (Future<float[][]> r : results) {
                float[][] got = r.get();
                assertArrayEquals(alone[0], got[0], 1e-6f);
                assertArrayEquals(alone[1], got[1], 1e-6f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void grayAndFourChannelPhotosAreReadAsBgr() throws Exception {
        try (Mat bgr = opencv_imgcodecs.imread(photo.toString()); Mat gray = new Mat(); Mat bgra = new Mat()) {
            opencv_imgproc.cvtColor(bgr, gray, opencv_imgproc.COLOR_BGR2GRAY);
            opencv_imgproc.cvtColor(bgr, bgra, opencv_imgproc.COLOR_BGR2BGRA);
            opencv_imgcodecs.imwrite(dir.resolve("gray.png").toString(), gray);
            opencv_imgcodecs.imwrite(dir.resolve("bgra.png").toString(), bgra);
        }
        for (String name : new String[] {"gray.png", "bgra.png"}) {
            FaceImage image = sdk.read(dir.resolve(name)).image();
            assertEquals(3, image.channels(), name);
            assertEquals(2, sdk.detect(image).size(), name);
        }
    }

    @Test
    void aPhotoWithoutFacesGivesNoDetections() {
        byte[] grey = new byte[320 * 240 * 3];
        java.util.Arrays.fill(grey, (byte) 128);
        assertEquals(List.of(), sdk.detect(new FaceImage(320, 240, 3, grey)));
    }

    /** A JPEG above the pixel limit is decoded by libjpeg at a fraction of its size, never in full. */
    @Test
    void aHugeJpegIsDecodedReducedAndItsFacesAreStillFound() throws Exception {
        Path big = dir.resolve("big.jpg");
        try (Mat bgr = opencv_imgcodecs.imread(photo.toString()); Mat up = new Mat()) {
            opencv_imgproc.resize(bgr, up, new Size(818 * 4, 418 * 4));
            opencv_imgcodecs.imwrite(big.toString(), up);
        }
        try (FaceSdk small = FaceSdk.builder().maxPixels(818L * 418 + 1000).build()) {
            Photo p = small.read(big);
            assertEquals(4, p.scale());
            assertEquals(818, p.image().width());
            List<DetectedFace> faces = small.detect(p.image());
            assertEquals(2, faces.size());
            assertEquals(96.45 * 1, faces.get(0).x1(), 3.0); // decoded at 1/4 of 4x: the original's coordinates, roughly
        }
        Path bigPng = dir.resolve("big.png");
        try (Mat bgr = opencv_imgcodecs.imread(photo.toString()); Mat up = new Mat()) {
            opencv_imgproc.resize(bgr, up, new Size(818 * 2, 418 * 2));
            opencv_imgcodecs.imwrite(bigPng.toString(), up);
        }
        try (FaceSdk small = FaceSdk.builder().maxPixels(818L * 418).build()) {
            BadImageException e = assertThrows(BadImageException.class, () -> small.read(bigPng));
            assertTrue(e.getMessage().contains("big.png") && e.getMessage().contains("limit"), e.getMessage());
        }
    }

    @Test
    void badFilesAreNamed() throws Exception {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> sdk.read(dir.resolve("nope.jpg")));
        assertTrue(missing.getMessage().contains("nope.jpg"), missing.getMessage());
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not an image at all");
        BadImageException notImage = assertThrows(BadImageException.class, () -> sdk.read(text));
        assertTrue(notImage.getMessage().contains("notes.jpg"), notImage.getMessage());
        byte[] whole = Files.readAllBytes(photo);
        Path cut = Files.write(dir.resolve("cut.jpg"), java.util.Arrays.copyOf(whole, whole.length / 2));
        BadImageException truncated = assertThrows(BadImageException.class, () -> sdk.read(cut));
        assertTrue(truncated.getMessage().contains("cut.jpg"), truncated.getMessage());
    }

    @Test
    void unknownPluginsAndMissingModelsAreExplained() throws Exception {
        UnknownPluginException unknown = assertThrows(UnknownPluginException.class,
                () -> FaceSdk.builder().detector("RetinaFce", Map.of()).build());
        assertTrue(unknown.getMessage().contains("RetinaFace"), unknown.getMessage());
        try (FaceSdk noModel = FaceSdk.builder().build()) {
            FaceImage crop = new FaceImage(112, 112, 3, new byte[112 * 112 * 3]);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> noModel.embed(crop));
            assertTrue(e.getMessage().contains("recognizer"), e.getMessage());
        }
        java.io.IOException noWeights = assertThrows(java.io.IOException.class,
                () -> FaceSdk.builder().recognizer(dir.resolve("missing.safetensors")).backbone("MobileFaceNet").build());
        assertTrue(noWeights.getMessage().contains("missing.safetensors"), noWeights.getMessage());
    }

    /** FMA-3D through the SDK: RetinaFace's five points place the mask; concurrent calls give the one-caller pixels. */
    @Test
    void masksAFaceTheSameFromManyThreads() throws Exception {
        try (FaceSdk masking = FaceSdk.builder().masker("FMA-3D", Map.of("color_jitter", 0.2)).build()) {
            FaceImage image = masking.read(photo).image();
            DetectedFace face = masking.detect(image).get(0);
            io.facex.api.sdk.MaskedFace one = masking.addMask(image, face, -1, 11);
            assertEquals(255, one.alpha().pixels()[300 * image.width() + 210] & 0xff, "the mouth is under the mask");
            assertEquals(0, one.alpha().pixels()[130 * image.width() + 205] & 0xff, "the forehead is not");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<io.facex.api.sdk.MaskedFace>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    calls.add(pool.submit(() -> masking.addMask(image, face, -1, 11)));
                }
                for (Future<io.facex.api.sdk.MaskedFace> c : calls) {
                    assertEquals(one.template(), c.get().template());
                    assertArrayEquals(one.image().pixels(), c.get().image().pixels());
                }
            } finally {
                pool.shutdownNow();
            }
        }
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> sdk.addMask(
                sdk.read(photo).image(), sdk.detect(sdk.read(photo).image()).get(0), 0, 0));
        assertTrue(none.getMessage().contains("masker("), none.getMessage());
    }
}
