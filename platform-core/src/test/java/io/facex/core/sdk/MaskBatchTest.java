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

    /** An image's seed depends on the batch seed and its path only, not on when a worker takes it. */
    @Test
    void imageSeedsDependOnTheSeedAndThePath() {
        assertEquals(MaskBatch.imageSeed(7, "a/1.jpg"), MaskBatch.imageSeed(7, "a/1.jpg"));
        assertNotEquals(MaskBatch.imageSeed(7, "a/1.jpg"), MaskBatch.imageSeed(8, "a/1.jpg"));
        assertNotEquals(MaskBatch.imageSeed(7, "a/1.jpg"), MaskBatch.imageSeed(7, "a/2.jpg"));
    }
}
