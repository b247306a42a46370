package io.facex.data;

import io.facex.api.Augmentation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {

    static final int SIZE = 16;
    static final int IMAGES = 37;

    @TempDir
    static Path dir;
    static Path root;
    static Path listFile;

    /** 37 random 16x16 PNGs in 5 identity folders, and their list file. */
    @BeforeAll
    static void images() throws IOException {
        root = dir.resolve("data");
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    img.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            Path p = root.resolve("id" + i % 5).resolve(String.format("%03d.png", i));
            Files.createDirectories(p.getParent());
            ImageIO.write(img, "png", p.toFile());
        }
        listFile = dir.resolve("list.txt");
        TrainList.writeFromFolders(root, listFile);
    }

    private static BatchLoader.Builder loader(TrainList list) {
        // semi-siamese augmentation exercises every random draw; margin 3 fits 16-pixel images
        return BatchLoader.builder(list).batchSize(8).seed(42).imageSize(SIZE, SIZE)
                .augmentation(Augmentation.semiSiamese().withCrop(0.5, 3));
    }

    /** Everything an epoch yielded, copied out of the (recycled) batch buffers. */
    record Run(List<float[]> data, List<int[]> labels, List<int[]> indices, int skipped, List<String> reasons) {
    }

    private static Run run(BatchLoader loader, int epoch) {
        List<float[]> data = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        List<int[]> indices = new ArrayList<>();
        try (BatchLoader.Epoch e = loader.epoch(epoch)) {
            for (Batch b : e) {
                try (b) {
                    data.add(Arrays.copyOf(b.data(), b.size() * b.sampleLength()));
                    labels.add(b.labels().clone());
                    indices.add(b.sampleIndices().clone());
                    assertEquals(epoch, b.epoch());
                }
            }
            return new Run(data, labels, indices, e.skipped(), e.skippedReasons());
        }
    }

    private static void assertSameRun(Run a, Run b) {
        assertEquals(a.data().size(), b.data().size());
        for (int i = 0; i < a.data().size(); i++) {
            assertArrayEquals(a.indices().get(i), b.indices().get(i), "batch " + i + " indices");
            assertArrayEquals(a.labels().get(i), b.labels().get(i), "batch " + i + " labels");
            assertArrayEquals(a.data().get(i), b.data().get(i), "batch " + i + " pixels");
        }
    }

    @Test
    void deterministicForASeedWithOneOrThreeWorkers() throws IOException {
        TrainList list = TrainList.read(listFile, root);
        Run one;
        Run three;
        Run threeAgain;
        try (BatchLoader l = loader(list).workers(1).build()) {
            one = run(l, 0);
        }
        try (BatchLoader l = loader(list).workers(3).prefetch(2).build()) {
            three = run(l, 0);
            threeAgain = run(l, 0);
        }
        assertSameRun(one, three);
        assertSameRun(three, threeAgain);
        // batch sizes 8,8,8,8,5: the last partial batch is kept
        assertEquals(List.of(8, 8, 8, 8, 5), one.labels().stream().map(a -> a.length).toList());
        // labels match the list
        for (int b = 0; b < one.indices().size(); b++) {
            for (int i = 0; i < one.indices().get(b).length; i++) {
                assertEquals(list.get(one.indices().get(b)[i]).label(), one.labels().get(b)[i]);
            }
        }
    }

    @Test
    void everySampleOncePerEpochInANewOrderEachEpoch() throws IOException {
        TrainList list = TrainList.read(listFile, root);
        try (BatchLoader l = loader(list).workers(3).build()) {
            assertEquals(5, l.batchesPerEpoch());
            int[] e0 = flatten(run(l, 0).indices());
            int[] e1 = flatten(run(l, 1).indices());
            int[] sorted0 = e0.clone();
            Arrays.sort(sorted0);
            int[] sorted1 = e1.clone();
            Arrays.sort(sorted1);
            int[] all = new int[IMAGES];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, sorted0);
            assertArrayEquals(all, sorted1);
            assertFalse(Arrays.equals(e0, e1), "shuffled differently per epoch");
            assertArrayEquals(l.order(1), e1);
        }
        try (BatchLoader other = loader(list).seed(43).build(); BatchLoader same = loader(list).build()) {
            assertFalse(Arrays.equals(other.order(0), same.order(0)));
        }
        try (BatchLoader plain = loader(list).shuffle(false).build()) {
            int[] all = new int[IMAGES];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, flatten(run(plain, 0).indices()));
        }
    }

    /** Resuming mid-epoch: starting at batch 3 yields exactly batches 3.. of the full epoch, pixels included. */
    @Test
    void startingMidEpochYieldsTheSameLaterBatches() throws IOException {
        TrainList list = TrainList.read(listFile, root);
        try (BatchLoader l = loader(list).workers(2).build()) {
            Run full = run(l, 1);
            List<float[]> data = new ArrayList<>();
            List<int[]> indices = new ArrayList<>();
            try (BatchLoader.Epoch e = l.epoch(1, 3)) {
                for (Batch b : e) {
                    try (b) {
                        data.add(Arrays.copyOf(b.data(), b.size() * b.sampleLength()));
                        indices.add(b.sampleIndices().clone());
                        assertTrue(b.index() >= 3, "batch " + b.index());
                    }
                }
            }
            assertEquals(full.data().size() - 3, data.size());
            for (int i = 0; i < data.size(); i++) {
                assertArrayEquals(full.indices().get(i + 3), indices.get(i));
                assertArrayEquals(full.data().get(i + 3), data.get(i));
            }
            try (BatchLoader.Epoch past = l.epoch(1, 99)) {
                assertFalse(past.hasNext());
            }
        }
    }

    @Test
    void dropLastDropsThePartialBatch() throws IOException {
        TrainList list = TrainList.read(listFile, root);
        try (BatchLoader l = loader(list).dropLast(true).workers(2).build()) {
            Run r = run(l, 0);
            assertEquals(4, r.labels().size());
            assertEquals(32, flatten(r.indices()).length);
        }
        assertThrows(IllegalArgumentException.class, () -> loader(list).batchSize(64).dropLast(true).build());
    }

    private static int[] flatten(List<int[]> parts) {
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }

    /** A copy of the data with one image corrupted and one deleted; returns the list read from a file. */
    private static TrainList damaged(Path where) throws IOException {
        Path data = where.resolve("data");
        TrainList list = TrainList.read(listFile, root);
        for (TrainList.Entry e : list.entries()) {
            Path to = data.resolve(e.path());
            Files.createDirectories(to.getParent());
            Files.copy(list.resolve(e), to);
        }
        Files.writeString(data.resolve(list.get(5).path()), "not an image");
        Files.delete(data.resolve(list.get(20).path()));
        Path lf = where.resolve("list.txt");
        Files.copy(listFile, lf);
        return TrainList.read(lf, data);
    }

    @Test
    void badImageFailsWithListFileAndLine(@TempDir Path tmp) throws IOException {
        TrainList list = damaged(tmp);
        try (BatchLoader l = loader(list).shuffle(false).workers(3).build()) {
            BatchLoader.Epoch e = l.epoch(0);
            DataException ex = assertThrows(DataException.class, () -> {
                for (Batch b : e) {
                    b.close();
                }
            });
            // Sample 5 (line 6) comes before sample 20 in list order, so it is the one reported.
            assertEquals(list.source(), ex.file());
            assertEquals(6, ex.line());
            assertTrue(ex.getMessage().startsWith(list.source() + ":6: image '" + list.get(5).path() + "'"),
                    ex.getMessage());
            assertTrue(ex.getMessage().contains("cannot decode"), ex.getMessage());
        }
        // A list built in memory has no file to point at: the image itself is named.
        TrainList tail = TrainList.of(list.dataRoot(), list.entries().subList(16, 24));
        try (BatchLoader t = loader(tail).shuffle(false).build(); BatchLoader.Epoch te = t.epoch(0)) {
            DataException missing = assertThrows(DataException.class, te::next);
            Path file = list.resolve(list.get(20));
            assertEquals(file, missing.file());
            assertEquals(file + ": no such file", missing.getMessage());
        }
    }

    @Test
    void skipAndCountReportsTheBadImages(@TempDir Path tmp) throws IOException {
        TrainList list = damaged(tmp);
        List<DataException> told = new java.util.ArrayList<>();
        try (BatchLoader l = loader(list).workers(3).onBadImage(BadImagePolicy.SKIP).onSkip(told::add).build()) {
            Run r = run(l, 0);
            assertEquals(2, r.skipped());
            // Every skip is told, with its list line, in the epoch's order whatever the workers' timing.
            int[] order = l.order(0);
            int first = Arrays.stream(order).filter(i -> i == 5 || i == 20).findFirst().orElseThrow();
            assertEquals(List.of(first + 1, first == 5 ? 21 : 6), told.stream().map(DataException::line).toList());
            assertTrue(told.stream().allMatch(d -> d.file().equals(list.source())));
            assertEquals(2, l.skippedTotal());
            int[] seen = flatten(r.indices());
            assertEquals(IMAGES - 2, seen.length);
            assertTrue(Arrays.stream(seen).noneMatch(i -> i == 5 || i == 20));
            assertEquals(IMAGES - 2, r.labels().stream().mapToInt(a -> a.length).sum());
            List<String> reasons = r.reasons();
            assertEquals(2, reasons.size());
            assertTrue(reasons.stream().anyMatch(s -> s.startsWith(list.source() + ":6: ")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(s -> s.startsWith(list.source() + ":21: ") && s.endsWith("no such file")),
                    reasons.toString());
            Run again = run(l, 0);
            assertSameRun(r, again);
            assertEquals(4, l.skippedTotal());
        }
    }

    @Test
    void closingStopsTheWorkers() throws Exception {
        TrainList list = TrainList.read(listFile, root);
        BatchLoader l = loader(list).batchSize(1).workers(3).prefetch(2).build();
        BatchLoader.Epoch e = l.epoch(0);
        e.next().close();
        e.close();
        assertEquals(0, workerThreads(), "worker threads left after closing the epoch");
        assertThrows(IllegalStateException.class, e::next);
        BatchLoader.Epoch e2 = l.epoch(1);
        e2.next().close();
        BatchLoader.Epoch e3 = l.epoch(2); // closes e2
        assertThrows(IllegalStateException.class, e2::next);
        e3.next().close();
        l.close(); // closes e3
        assertEquals(0, workerThreads());
        assertThrows(IllegalStateException.class, () -> l.epoch(3));
    }

    @Test
    void memoryStaysFlatWithASlowConsumer() throws Exception {
        TrainList list = TrainList.read(listFile, root);
        try (BatchLoader l = loader(list).batchSize(1).workers(3).prefetch(2).build()) {
            for (int epoch = 0; epoch < 2; epoch++) {
                try (BatchLoader.Epoch e = l.epoch(epoch)) {
                    int n = 0;
                    for (Batch b : e) {
                        try (b) {
                            if (n++ < 3) {
                                Thread.sleep(30); // workers race ahead and must stop at the prefetch bound
                            }
                        }
                    }
                    assertEquals(IMAGES, n);
                }
            }
            assertTrue(l.buffersAllocated() <= 2 + 2, "allocated " + l.buffersAllocated() + " buffers for 74 batches");
        }
    }

    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("facex-data-") && t.isAlive()).count();
    }

    @Test
    void augmentationChangesPixelsButNoneIsThePlainImage() throws IOException {
        TrainList list = TrainList.read(listFile, root);
        try (BatchLoader aug = loader(list).shuffle(false).build();
             BatchLoader plain = loader(list).shuffle(false).augmentation(Augmentation.none()).build()) {
            Run a = run(aug, 0);
            Run p = run(plain, 0);
            assertNotEquals(Arrays.hashCode(a.data().get(0)), Arrays.hashCode(p.data().get(0)));
            float[] expected = new float[3 * SIZE * SIZE];
            try (var m = ImageOps.read(list.resolve(list.get(0)))) {
                ImageOps.toChw(m, expected, 0, false);
            }
            assertArrayEquals(expected, Arrays.copyOf(p.data().get(0), expected.length));
        }
    }
}
