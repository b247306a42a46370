package io.facex.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainListMergeTest {

    @TempDir
    Path dir;

    private void images(Path root, String... paths) throws IOException {
        for (String p : paths) {
            Path f = root.resolve(p);
            Files.createDirectories(f.getParent());
            Files.write(f, new byte[] {1});
        }
    }

    @Test
    void originalAndMaskedListsBecomeOneListUnderTheirCommonFolder() throws IOException {
        images(dir.resolve("data/faces"), "alice/1.jpg", "alice/2.jpg", "bob/1.jpg", "carol/1.jpg");
        images(dir.resolve("data/masked"), "alice/1.jpg", "bob/1.jpg", "carol/1.jpg", "carol/2.jpg");
        TrainList.writeFromFolders(dir.resolve("data/faces"), dir.resolve("faces.txt"));
        TrainList.writeFromFolders(dir.resolve("data/masked"), dir.resolve("masked.txt"));
        TrainList faces = TrainList.read(dir.resolve("faces.txt"), dir.resolve("data/faces"));
        TrainList masked = TrainList.read(dir.resolve("masked.txt"), dir.resolve("data/masked"));

        TrainList merged = TrainListMerge.merge(List.of(faces, masked), null);

        assertEquals(dir.resolve("data").toAbsolutePath().normalize(), merged.dataRoot());
        assertEquals(8, merged.size());
        assertEquals(3, merged.numClasses());
        assertEquals(List.of("faces/alice/1.jpg 0", "faces/alice/2.jpg 0", "faces/bob/1.jpg 1", "faces/carol/1.jpg 2",
                "masked/alice/1.jpg 0", "masked/bob/1.jpg 1", "masked/carol/1.jpg 2", "masked/carol/2.jpg 2"),
                merged.entries().stream().map(e -> e.path() + " " + e.label()).toList());
        merged.write(dir.resolve("merged.txt"));
        TrainList back = TrainList.read(dir.resolve("merged.txt"), dir.resolve("data"));
        assertEquals(List.of(), back.unreadable(n -> { }), "every merged path names an existing image");
    }

    @Test
    void anExplicitRootAboveTheListsWorksToo() throws IOException {
        images(dir.resolve("a"), "x/1.jpg");
        images(dir.resolve("b/deep"), "x/1.jpg");
        TrainList a = TrainList.fromFolders(dir.resolve("a"));
        TrainList b = TrainList.fromFolders(dir.resolve("b/deep"));
        TrainList merged = TrainListMerge.merge(List.of(a, b), dir);
        assertEquals(List.of("a/x/1.jpg", "b/deep/x/1.jpg"), merged.entries().stream().map(TrainList.Entry::path).toList());
    }

    @Test
    void listsLabellingAnIdentityDifferentlyAreRefusedNamingTheLines() throws IOException {
        // the masked copy lost bob, so sorted folders give carol label 1 there and 2 in the original
        images(dir.resolve("faces"), "alice/1.jpg", "bob/1.jpg", "carol/1.jpg");
        images(dir.resolve("masked"), "alice/1.jpg", "carol/1.jpg");
        TrainList.writeFromFolders(dir.resolve("faces"), dir.resolve("faces.txt"));
        TrainList.writeFromFolders(dir.resolve("masked"), dir.resolve("masked.txt"));
        TrainList faces = TrainList.read(dir.resolve("faces.txt"), dir.resolve("faces"));
        TrainList masked = TrainList.read(dir.resolve("masked.txt"), dir.resolve("masked"));

        DataException e = assertThrows(DataException.class, () -> TrainListMerge.merge(List.of(faces, masked), null));

        String m = e.getMessage();
        assertTrue(m.startsWith("the lists do not label their identities alike"), m);
        assertTrue(m.contains(dir.resolve("masked.txt") + ":2: identity folder 'carol' has label 1, but "
                + dir.resolve("faces.txt") + ":3 gives it label 2"), m);
        assertTrue(m.contains(dir.resolve("masked.txt") + ":2: label 1 is identity folder 'carol', but "
                + dir.resolve("faces.txt") + ":2 gives it to 'bob'"), m);
    }

    @Test
    void imagesOutsideIdentityFoldersCannotBeChecked() {
        TrainList flat = TrainList.of(dir, List.of(new TrainList.Entry("loose.jpg", 0, 0)));
        DataException e = assertThrows(DataException.class, () -> TrainListMerge.merge(List.of(flat, flat), null));
        assertTrue(e.getMessage().contains("image 'loose.jpg' is in no identity folder"), e.getMessage());
    }
}
