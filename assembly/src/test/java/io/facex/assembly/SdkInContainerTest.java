package io.facex.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facex.launch.FacexContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The face SDK's commands through the real launcher and bundles: RetinaFace with its bundled weights,
 * the ArcFace cropper, OpenCV inside the container, on FaceX-Zoo's test photo.
 */
class SdkInContainerTest {

    static Path home;
    static FacexContainer container;
    static Path photo;

    @BeforeAll
    static void boot() throws Exception {
        home = Dist.newHome();
        container = FacexContainer.start(home, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true));
        photo = Dist.testPhoto(home);
    }

    @AfterAll
    static void shutdown() throws Exception {
        container.close();
    }

    static ContainerTest.Result run(String line) {
        return TrainingInContainerTest.run(container, line);
    }

    @Test
    void detectPrintsBoxesScoresAndLandmarksAsJsonAndDrawsThem() throws Exception {
        Path png = home.resolve("annotated.png");
        ContainerTest.Result r = run("detect --annotate " + png + " " + photo);
        assertEquals(0, r.status(), r.err() + r.out());
        JsonNode faces = new ObjectMapper().readTree(r.out()).get("faces");
        assertEquals(2, faces.size(), r.out());
        // the spec's golden first detection (FaceX-Zoo's SDK on this photo)
        double[] golden = {96.449936, 74.030655, 318.95624, 381.9057};
        for (int i = 0; i < 4; i++) {
            assertEquals(golden[i], faces.get(0).get("box").get(i).asDouble(), 0.5, r.out());
        }
        assertEquals(0.99996, faces.get(0).get("score").asDouble(), 1e-4);
        assertEquals(5, faces.get(1).get("landmarks").size());
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void cropWritesEachFaceAt112() throws Exception {
        Path out = home.resolve("crops");
        ContainerTest.Result r = run("crop -o " + out + " " + photo);
        assertEquals(0, r.status(), r.err() + r.out());
        for (String f : List.of("test1_face0.png", "test1_face1.png")) {
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(out.resolve(f).toFile());
            assertEquals(112, img.getWidth(), f);
            assertEquals(112, img.getHeight(), f);
        }
    }

    /** A folder of raw photos: faces are aligned under the same names, the rest listed with the reason. */
    @Test
    void alignTurnsAFolderIntoCropsAndListsWhatItCouldNot() throws Exception {
        Path raw = home.resolve("raw");
        Files.createDirectories(raw.resolve("person_a"));
        Files.copy(photo, raw.resolve("person_a/0001.jpg"));
        java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(200, 150, java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(grey, "png", raw.resolve("person_a/blank.png").toFile());
        Files.writeString(raw.resolve("broken.jpg"), "not a JPEG");
        Path out = home.resolve("aligned");
        ContainerTest.Result r = run("align -o " + out + " --workers 2 " + raw);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("1 of 3 images aligned"), r.out());
        assertTrue(Files.exists(out.resolve("person_a/0001.jpg")));
        List<String> missed = Files.readAllLines(out.resolve("no_face.txt"));
        assertEquals(2, missed.size(), missed.toString());
        assertTrue(missed.get(0).startsWith("broken.jpg\t") && missed.get(0).contains("broken.jpg"), missed.toString());
        assertEquals("person_a/blank.png\tno face", missed.get(1));
    }

    @Test
    void compareScoresTheSamePhotoAsTheSamePerson() throws Exception {
        Path weights = home.resolve("mobilefacenet.npz");
        writeUntrainedMobileFaceNet(weights);
        ContainerTest.Result r = run("compare -b MobileFaceNet -w " + weights + " " + photo + " " + photo);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().matches("(?s)similarity 1\\.0000: same person \\(threshold 0\\.50, MobileFaceNet.*"), r.out());
        ContainerTest.Result none = run("compare " + photo + " " + photo);
        assertEquals(1, none.status());
        assertTrue(none.err().contains("-w"), none.err());
    }

    @Test
    void badPhotosAreNamed() throws Exception {
        ContainerTest.Result missing = run("detect " + home.resolve("nope.jpg"));
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("nope.jpg"), missing.err());
        Path text = Files.writeString(home.resolve("notes.jpg"), "hello");
        ContainerTest.Result notImage = run("detect " + text);
        assertEquals(1, notImage.status());
        assertTrue(notImage.err().contains("notes.jpg"), notImage.err());
    }

    private static void writeUntrainedMobileFaceNet(Path file) throws Exception {
        io.facex.api.Backbone<?> net = java.util.ServiceLoader.load(io.facex.api.Backbone.class).stream()
                .map(java.util.ServiceLoader.Provider::get).filter(b -> b.name().equals("MobileFaceNet")).findFirst().orElseThrow();
        io.facex.testkit.InitialWeights.write(net, file);
    }
}
