package io.facex.core.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch's inputs: training lists, the MegaFace devkit's FaceScrub JSON, per-image seeds. */
class MaskBatchTest {

    @Test
    void aTrainingListKeepsEachLineForTheMaskedList(@TempDir Path dir) throws IOException {
        Path list = Files.write(dir.resolve("train.txt"), List.of("a/1.jpg 0", "", "  b/2.jpg   1  "));
        assertEquals(List.of(new MaskBatch.Item("a/1.jpg", "a/1.jpg 0"), new MaskBatch.Item("b/2.jpg", "b/2.jpg   1")),
                MaskBatch.readTrainingList(list));
    }

    @Test
    void theFaceScrubListGivesItsPathsAndBadFilesAreNamed(@TempDir Path dir) throws IOException {
        Path json = Files.writeString(dir.resolve("facescrub_features_list.json"),
                "{\"path\": [\"A/A_1.png\", \"B/B_2.png\"], \"id\": [\"A\", \"B\"]}");
        List<MaskBatch.Item> items = MaskBatch.readFaceScrubList(json);
        assertEquals(List.of("A/A_1.png", "B/B_2.png"), items.stream().map(MaskBatch.Item::path).toList());
        assertNull(items.get(0).line());
        Path noPaths = Files.writeString(dir.resolve("other.json"), "{\"id\": []}");
        IOException e = assertThrows(IOException.class, () -> MaskBatch.readFaceScrubList(noPaths));
        assertTrue(e.getMessage().startsWith(noPaths + ": no \"path\" array"), e.getMessage());
        Path text = Files.writeString(dir.resolve("list.txt"), "A/A_1.png 0\n");
        IOException t = assertThrows(IOException.class, () -> MaskBatch.readFaceScrubList(text));
        assertTrue(t.getMessage().startsWith(text + ": not a JSON list"), t.getMessage());
    }

    /** FaceX-Zoo's face-info lines (path, box, 106 points) and plain 'path x1,y1,...' lines alike. */
    @Test
    void landmarkFilesTakeFaceXZoosFaceInfoFormAndNameBadLines(@TempDir Path dir) throws IOException {
        StringBuilder pfld = new StringBuilder();
        for (int i = 0; i < 212; i++) {
            pfld.append(i == 0 ? "" : ",").append(100 + i);
        }
        Path file = Files.write(dir.resolve("face_info.txt"), List.of("# comment", "A/A_1.jpg 175,113,310,248 " + pfld,
                "", "B/B_2.jpg 1.5,2,3,4,5,6,7,8,9,10.25"));
        java.util.Map<String, float[]> lm = MaskBatch.readLandmarks(file);
        assertEquals(List.of("A/A_1.jpg", "B/B_2.jpg"), List.copyOf(lm.keySet()));
        assertEquals(212, lm.get("A/A_1.jpg").length);
        assertEquals(311f, lm.get("A/A_1.jpg")[211]);
        assertEquals(10.25f, lm.get("B/B_2.jpg")[9]);

        for (String[] bad : new String[][] {
            {"A/A_1.jpg", ":1: expected 'path x1,y1,x2,y2,...'"},
            {"A/A_1.jpg 1,2,3,4", ":1: 4 values; landmarks are 10 (five points) or 212 (106 points)"},
            {"A/A_1.jpg 1,2,3,4,5,6,7,8,9,x", ":1: value 10 'x' is not a number"},
            {"A/A_1.jpg 1,2,3,4,5,6,7,8,9,NaN", ":1: value 10 is NaN"}}) {
            Path f = Files.write(dir.resolve("bad.txt"), List.of(bad[0]));
            IOException e = assertThrows(IOException.class, () -> MaskBatch.readLandmarks(f));
            assertEquals(f + bad[1], e.getMessage().substring(0, (f + bad[1]).length()), e.getMessage());
        }
        Path twice = Files.write(dir.resolve("twice.txt"), List.of("B 1,2,3,4,5,6,7,8,9,10", "B 1,2,3,4,5,6,7,8,9,10"));
        assertEquals(twice + ":2: B is listed twice",
                assertThrows(IOException.class, () -> MaskBatch.readLandmarks(twice)).getMessage());
        assertTrue(assertThrows(IOException.class, () -> MaskBatch.readLandmarks(dir.resolve("none.txt"))).getMessage()
                .endsWith("none.txt: no such landmark file"));
    }

    @Test
    void aTemplateMapIsFaceXZoosFacescrub2templateName(@TempDir Path dir) throws IOException {
        Path map = Files.write(dir.resolve("facescrub2template_name.txt"),
                List.of("Daniel_Radcliffe/Daniel_Radcliffe_14684.jpg 1.png", "B/B_2.jpg 7"));
        assertEquals(java.util.Map.of("Daniel_Radcliffe/Daniel_Radcliffe_14684.jpg", 1, "B/B_2.jpg", 7), MaskBatch.readTemplateMap(map));
        Path bad = Files.write(dir.resolve("bad.txt"), List.of("B/B_2.jpg 7", "C/C.jpg blue.png"));
        IOException e = assertThrows(IOException.class, () -> MaskBatch.readTemplateMap(bad));
        assertTrue(e.getMessage().startsWith(bad + ":2: expected 'path k.png'"), e.getMessage());
    }

    /** An image's seed depends on the batch seed and its path only, not on when a worker takes it. */
    @Test
    void imageSeedsDependOnTheSeedAndThePath() {
        assertEquals(MaskBatch.imageSeed(7, "a/1.jpg"), MaskBatch.imageSeed(7, "a/1.jpg"));
        assertNotEquals(MaskBatch.imageSeed(7, "a/1.jpg"), MaskBatch.imageSeed(8, "a/1.jpg"));
        assertNotEquals(MaskBatch.imageSeed(7, "a/1.jpg"), MaskBatch.imageSeed(7, "a/2.jpg"));
    }
}
