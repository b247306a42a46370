package io.facex.assembly;

import io.facex.launch.FacexContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code facex addmask} through the real launcher and bundles (RetinaFace → five points → FMA-3D's 2-D
 * mesh): one photo, a folder with a face-less and a corrupt image, a training list, and a seed that fixes
 * the result.
 */
class AddMaskInContainerTest {

    static Path home;
    static FacexContainer container;
    static Path photo;
    static Path raw;

    @BeforeAll
    static void boot() throws Exception {
        home = Dist.newHome();
        container = FacexContainer.start(home, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true));
        photo = Dist.testPhoto(home);
        raw = home.resolve("raw");
        Files.createDirectories(raw.resolve("person_a"));
        Files.createDirectories(raw.resolve("person_b"));
        Files.copy(photo, raw.resolve("person_a/0001.jpg"));
        Files.copy(photo, raw.resolve("person_b/0002.jpg"));
        javax.imageio.ImageIO.write(new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB), "png",
                raw.resolve("person_a/blank.png").toFile());
        Files.writeString(raw.resolve("broken.jpg"), "not a JPEG");
    }

    @AfterAll
    static void shutdown() throws Exception {
        container.close();
    }

    static ContainerTest.Result run(String line) {
        return TrainingInContainerTest.run(container, line);
    }

    /** Mean absolute difference of the RGB values of two images in a box. */
    static double change(BufferedImage a, BufferedImage b, int x0, int y0, int x1, int y1) {
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    sum += Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff));
                }
            }
        }
        return sum / (3.0 * (x1 - x0) * (y1 - y0));
    }

    @Test
    void onePhotoGetsAMaskOnTheLowerFace() throws Exception {
        Path out = home.resolve("masked_one");
        ContainerTest.Result r = run("addmask --template 0 -o " + out + " " + photo);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("face(s) masked -> " + out.resolve("test1.jpg")), r.out());
        BufferedImage before = javax.imageio.ImageIO.read(photo.toFile());
        BufferedImage after = javax.imageio.ImageIO.read(out.resolve("test1.jpg").toFile());
        assertEquals(before.getWidth(), after.getWidth());
        double mouth = change(before, after, 190, 285, 230, 315);
        double forehead = change(before, after, 180, 105, 230, 155);
        assertTrue(mouth > 20, "mouth " + mouth);
        assertTrue(forehead < 3, "forehead (JPEG noise only) " + forehead);
    }

    @Test
    void aFolderIsMaskedAndWhatIsNotIsReported() throws Exception {
        Path out = home.resolve("masked_dir");
        ContainerTest.Result r = run("addmask -o " + out + " --workers 2 --seed 7 " + raw);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("2 of 4 images masked"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("person_a/0001.jpg")));
        assertTrue(Files.isRegularFile(out.resolve("person_b/0002.jpg")));
        List<String> report = Files.readAllLines(out.resolve("addmask_report.txt"));
        assertEquals(3, report.size(), report.toString());
        assertTrue(report.get(0).startsWith("# 2 of 4 images masked"), report.toString());
        assertTrue(report.get(1).startsWith("broken.jpg\t") && report.get(1).length() > "broken.jpg\t".length(), report.toString());
        assertEquals("person_a/blank.png\tno face", report.get(2));

        // the same seed gives the same pixels, however the two workers share the images
        Path again = home.resolve("masked_dir_again");
        assertEquals(0, run("addmask -o " + again + " --workers 1 --seed 7 " + raw).status());
        assertArrayEquals(Files.readAllBytes(out.resolve("person_b/0002.jpg")), Files.readAllBytes(again.resolve("person_b/0002.jpg")));
    }

    @Test
    void aTrainingListGivesAMaskedListWithTheSameLabels() throws Exception {
        Path list = Files.write(home.resolve("train_list.txt"),
                List.of("person_a/0001.jpg 0", "person_a/blank.png 0", "person_b/0002.jpg 1"));
        Path out = home.resolve("masked_list");
        ContainerTest.Result r = run("addmask --list " + list + " --data_root " + raw + " -o " + out + " --color_jitter 0.3");
        assertEquals(0, r.status(), r.err() + r.out());
        assertEquals(List.of("person_a/0001.jpg 0", "person_b/0002.jpg 1"), Files.readAllLines(out.resolve("train_list.txt")));
        assertTrue(Files.isRegularFile(out.resolve("person_b/0002.jpg")));
    }

    /** MegaFace-Mask's probes: the FaceScrub images the devkit's JSON list names, under the same paths. */
    @Test
    void theFaceScrubProbesOfAMegaFaceDevkitAreMasked() throws Exception {
        Path json = Files.writeString(home.resolve("facescrub_features_list.json"),
                "{\"path\": [\"person_a/0001.jpg\", \"person_a/blank.png\"], \"id\": [\"person_a\", \"person_a\"]}");
        Path out = home.resolve("masked_facescrub_crop");
        ContainerTest.Result r = run("addmask --facescrub_list " + json + " --data_root " + raw + " -o " + out);
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("1 of 2 images masked"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("person_a/0001.jpg")));
        assertEquals(List.of("person_a/blank.png\tno face"), Files.readAllLines(out.resolve("addmask_report.txt")).subList(1, 2));
    }

    /**
     * FaceX-Zoo's MegaFace-Mask inputs: landmarks known beforehand (its facescrub_face_info.txt; here the
     * synthetic renderer's own) instead of detection, and a template per image (facescrub2template_name.txt).
     */
    @Test
    void givenLandmarksReplaceDetectionAndATemplateMapPicksEachTemplate() throws Exception {
        io.facex.tools.synthetic.SyntheticFaces.Result faces = io.facex.tools.synthetic.SyntheticFaces
                .builder(home.resolve("syn")).identities(2).imagesPerIdentity(3).heldOutIdentities(0).nuisance(0.6).seed(3)
                .overwrite(true).generate();
        List<String> landmarks = Files.readAllLines(faces.trainLandmarks());
        assertEquals(6, landmarks.size());
        // FaceX-Zoo's face-info form has a box between path and landmarks; one line here has it too
        landmarks.set(0, landmarks.get(0).replace(" ", " 10,10,100,100 "));
        Path lm = Files.write(home.resolve("syn_landmarks.txt"), landmarks.subList(0, 5));
        Path map = Files.write(home.resolve("template_map.txt"), List.of("00000/0001.jpg 3.png", "00001/0003.jpg 5.png"));
        Path out = home.resolve("syn_masked");
        ContainerTest.Result r = run("addmask --list " + faces.trainList() + " --data_root " + faces.trainRoot() + " -o " + out
                + " --landmarks " + lm + " --template_map " + map + " --seed 2");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("5 of 6 images masked"), r.out());
        assertEquals(List.of("00001/0003.jpg\tnot in the landmark file"),
                Files.readAllLines(out.resolve("addmask_report.txt")).subList(1, 2));
        for (String rel : List.of("00000/0001.jpg", "00001/0002.jpg")) {
            BufferedImage before = javax.imageio.ImageIO.read(faces.trainRoot().resolve(rel).toFile());
            BufferedImage after = javax.imageio.ImageIO.read(out.resolve(rel).toFile());
            // the renderer's faces: eyes near row 50, mouth near row 75 of 112
            double mouth = change(before, after, 40, 68, 72, 84);
            double forehead = change(before, after, 40, 20, 72, 36);
            assertTrue(mouth > 15 && forehead < 2, rel + ": mouth changed by " + mouth + ", forehead by " + forehead);
        }
        Path other = home.resolve("syn_masked_other");
        Path map2 = Files.write(home.resolve("template_map2.txt"), List.of("00000/0001.jpg 4.png"));
        assertEquals(0, run("addmask --list " + faces.trainList() + " --data_root " + faces.trainRoot() + " -o " + other
                + " --landmarks " + lm + " --template_map " + map2 + " --seed 2").status());
        assertTrue(Files.mismatch(out.resolve("00000/0001.jpg"), other.resolve("00000/0001.jpg")) >= 0, "the map picks the template");
        assertEquals(-1, Files.mismatch(out.resolve("00000/0002.jpg"), other.resolve("00000/0002.jpg")), "the seed picks the rest");

        Path bad = Files.write(home.resolve("bad_landmarks.txt"), List.of(landmarks.get(1), "00000/0002.jpg 1,2,3"));
        r = run("addmask --list " + faces.trainList() + " --data_root " + faces.trainRoot() + " -o " + home.resolve("no")
                + " --landmarks " + bad);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains(bad + ":2: 3 values; landmarks are 10 (five points) or 212 (106 points)"), r.err());
        Path badMap = Files.write(home.resolve("bad_map.txt"), List.of("00000/0001.jpg mask.png"));
        r = run("addmask --list " + faces.trainList() + " --data_root " + faces.trainRoot() + " -o " + home.resolve("no")
                + " --landmarks " + lm + " --template_map " + badMap);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains(badMap + ":1: expected 'path k.png'"), r.err());
    }

    @Test
    void missingArgumentsAreNamed() {
        ContainerTest.Result r = run("addmask " + photo);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("--output"), r.err());
        Path prnet = home.resolve("no/prnet.pth");
        r = run("addmask -o " + home.resolve("masked_prnet") + " --prnet " + prnet + " " + photo);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("prnet_path") && r.err().contains(prnet + ": no such file"), r.err());
    }
}
