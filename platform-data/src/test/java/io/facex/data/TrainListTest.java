package io.facex.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainListTest {

    @TempDir
    Path dir;

    private Path list(String text) throws IOException {
        Path f = dir.resolve("train_list.txt");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsFaceXZooLinesAndPathsWithSpaces() throws IOException {
        Path f = list("m.0107_f/10-FaceId-0_align.jpg 0\r\n\nm.0109kg/28 FaceId 0.jpg 1\nx/y.png\t7  \n");
        TrainList l = TrainList.read(f, dir);
        assertEquals(3, l.size());
        assertEquals(new TrainList.Entry("m.0107_f/10-FaceId-0_align.jpg", 0, 1), l.get(0));
        assertEquals(new TrainList.Entry("m.0109kg/28 FaceId 0.jpg", 1, 3), l.get(1)); // split on the last space
        assertEquals(new TrainList.Entry("x/y.png", 7, 4), l.get(2));
        assertEquals(8, l.numClasses());
        assertEquals(f + ":3", l.describe(1));
        assertEquals(dir.resolve("x/y.png"), l.resolve(l.get(2)));
    }

    /** At most two images of each identity, the same two for the same seed, labels and file order kept. */
    @Test
    void aShallowListKeepsAtMostNImagesOfEachIdentity() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int id = 0; id < 5; id++) {
            for (int k = 0; k < id + 1; k++) {
                sb.append("id").append(id).append("/").append(k).append(".jpg ").append(id).append('\n');
            }
        }
        TrainList full = TrainList.read(list(sb.toString()), dir);
        TrainList a = full.shallow(2, 7);
        TrainList b = full.shallow(2, 7);
        org.junit.jupiter.api.Assertions.assertEquals(1 + 2 + 2 + 2 + 2, a.size());
        org.junit.jupiter.api.Assertions.assertEquals(5, a.numClasses());
        org.junit.jupiter.api.Assertions.assertEquals(a.entries(), b.entries(), "the seed fixes the choice");
        int[] counts = a.classCounts();
        for (int id = 0; id < 5; id++) {
            org.junit.jupiter.api.Assertions.assertEquals(Math.min(2, id + 1), counts[id], "identity " + id);
        }
        for (int i = 1; i < a.size(); i++) {
            org.junit.jupiter.api.Assertions.assertTrue(a.get(i - 1).line() < a.get(i).line(), "file order kept");
        }
    }

    @Test
    void malformedLineNamesFileAndLine() throws IOException {
        Path f = list("a/1.jpg 0\na/2.jpg\n");
        DataException e = assertThrows(DataException.class, () -> TrainList.read(f, dir));
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        assertTrue(e.getMessage().contains("a/2.jpg"), e.getMessage());
        assertEquals(2, e.line());
        assertEquals(f, e.file());
    }

    @Test
    void nonIntegerLabelNamesFileAndLine() throws IOException {
        Path f = list("a/1.jpg 0\n\na/2.jpg one\n");
        DataException e = assertThrows(DataException.class, () -> TrainList.read(f, dir));
        assertTrue(e.getMessage().startsWith(f + ":3: label 'one' is not an integer"), e.getMessage());
        Path g = list("a/1.jpg 1.5\n");
        assertTrue(assertThrows(DataException.class, () -> TrainList.read(g, dir)).getMessage()
                .startsWith(g + ":1: label '1.5'"));
    }

    @Test
    void negativeLabelNamesFileAndLine() throws IOException {
        Path f = list("a/1.jpg 0\na/2.jpg -3\n");
        DataException e = assertThrows(DataException.class, () -> TrainList.read(f, dir));
        assertEquals(f + ":2: label -3 is negative", e.getMessage());
    }

    @Test
    void emptyListIsAnError() throws IOException {
        Path f = list("\n  \n");
        DataException e = assertThrows(DataException.class, () -> TrainList.read(f, dir));
        assertEquals(f + ": training list is empty", e.getMessage());
    }

    @Test
    void missingDataRootAndMissingListAreNamed() throws IOException {
        Path f = list("a/1.jpg 0\n");
        Path root = dir.resolve("no-such-root");
        DataException e = assertThrows(DataException.class, () -> TrainList.read(f, root));
        assertTrue(e.getMessage().startsWith(root + ": data root does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        Path missing = dir.resolve("missing.txt");
        assertEquals(missing + ": training list not found",
                assertThrows(DataException.class, () -> TrainList.read(missing, dir)).getMessage());
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        TrainList l = TrainList.of(dir, List.of(new TrainList.Entry("b/1.jpg", 1, 0), new TrainList.Entry("a/1.jpg", 0, 0)));
        Path f = dir.resolve("out/list.txt");
        l.write(f);
        assertEquals("b/1.jpg 1\na/1.jpg 0\n", Files.readString(f));
        TrainList back = TrainList.read(f, dir);
        assertEquals("b/1.jpg", back.get(0).path());
        assertEquals(2, back.get(1).line());
        assertNull(l.source());
    }

    @Test
    void fromFoldersSortsIdentitiesAndImagesAndSkipsNonImages() throws IOException {
        Path root = dir.resolve("data");
        for (String f : List.of("id_b/2.JPG", "id_b/1.png", "id_a/x.jpeg", "id_a/a.bmp", "id_a/notes.txt",
                "id_c_empty/readme.md", "id_d/0.jpg")) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            Files.write(p, new byte[] {1});
        }
        Files.write(root.resolve("stray.jpg"), new byte[] {1}); // not in an identity folder
        TrainList l = TrainList.fromFolders(root);
        assertEquals(List.of(
                new TrainList.Entry("id_a/a.bmp", 0, 0), new TrainList.Entry("id_a/x.jpeg", 0, 0),
                new TrainList.Entry("id_b/1.png", 1, 0), new TrainList.Entry("id_b/2.JPG", 1, 0),
                new TrainList.Entry("id_d/0.jpg", 2, 0)), l.entries());
        assertEquals(3, l.numClasses());
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4)), l.indicesByLabel());

        Path out = dir.resolve("list.txt");
        TrainList.writeFromFolders(root, out);
        assertEquals("id_a/a.bmp 0\nid_a/x.jpeg 0\nid_b/1.png 1\nid_b/2.JPG 1\nid_d/0.jpg 2\n", Files.readString(out));
    }

    @Test
    void fromFoldersWithoutImagesOrRootFails() throws IOException {
        Files.createDirectories(dir.resolve("empty/id0"));
        assertTrue(assertThrows(DataException.class, () -> TrainList.fromFolders(dir.resolve("empty"))).getMessage()
                .contains("no images"));
        assertTrue(assertThrows(DataException.class, () -> TrainList.fromFolders(dir.resolve("nope"))).getMessage()
                .contains("does not exist"));
    }
}
