package io.facex.tools.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.facex.api.Augmentation;
import io.facex.data.Batch;
import io.facex.data.BatchLoader;
import io.facex.data.DataException;
import io.facex.data.TrainList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticFacesTest {

    @TempDir
    static Path dir;
    static SyntheticFaces.Result set;

    private static SyntheticFaces.Builder small(Path out) {
        return SyntheticFaces.builder(out).identities(40).imagesPerIdentity(8).heldOutIdentities(20).folds(2)
                .pairsPerFold(50).seed(2024);
    }

    @BeforeAll
    static void generate() throws IOException {
        set = small(dir.resolve("a")).threads(2).generate();
    }

    @Test
    void writesAParseableTrainingListMatchingTheFolders() throws IOException {
        assertEquals(320, set.trainImages());
        TrainList list = TrainList.read(set.trainList(), set.trainRoot());
        assertEquals(320, list.size());
        assertEquals(40, list.numClasses());
        for (int c : list.classCounts()) {
            assertEquals(8, c);
        }
        // The generator's list is exactly what FaceX-Zoo's list generator would make of the folders.
        List<TrainList.Entry> fromFolders = TrainList.fromFolders(set.trainRoot()).entries();
        assertEquals(fromFolders.stream().map(e -> e.path() + " " + e.label()).toList(),
                list.entries().stream().map(e -> e.path() + " " + e.label()).toList());
    }

    @Test
    void writesLfwPairsAndImageList() throws IOException {
        String header = Files.readAllLines(set.pairs()).get(0);
        assertEquals("2\t50", header);
        LfwPairs pairs = LfwPairs.read(set.pairs());
        assertEquals(2, pairs.folds());
        assertEquals(50, pairs.pairsPerSide());
        assertEquals(200, set.pairCount());
        List<String> imgList = Files.readAllLines(set.imageList());
        assertEquals(160, imgList.size());
        Set<String> images = new HashSet<>(imgList);
        List<Set<String>> foldNames = new ArrayList<>();
        for (int f = 0; f < pairs.folds(); f++) {
            List<LfwPairs.Pair> fold = pairs.fold(f);
            assertTrue(fold.subList(0, 50).stream().allMatch(LfwPairs.Pair::same));
            assertTrue(fold.subList(50, 100).stream().noneMatch(LfwPairs.Pair::same));
            assertEquals(100, new HashSet<>(fold).size(), "pairs within a fold are distinct");
            Set<String> names = new HashSet<>();
            for (LfwPairs.Pair p : fold) {
                assertTrue(images.contains(p.path1("jpg")) && images.contains(p.path2("jpg")), p.toString());
                assertTrue(Files.isRegularFile(set.testRoot().resolve(p.path1("jpg"))));
                assertFalse(p.same() && p.index1() == p.index2());
                names.add(p.name1());
                names.add(p.name2());
            }
            foldNames.add(names);
        }
        assertTrue(foldNames.get(0).stream().noneMatch(foldNames.get(1)::contains), "folds share no identity");
        for (String img : imgList) {
            assertTrue(img.matches("Synth_000(4\\d|5\\d)/Synth_000\\d\\d_000[1-8]\\.jpg"), img);
        }
    }

    @Test
    void rawPixelsCannotVerifyHeldOutIdentitiesButSelfPairsCan() throws IOException {
        LfwPairs pairs = LfwPairs.read(set.pairs());
        PixelBaseline.Result raw = PixelBaseline.evaluate(set.testRoot(), pairs.pairs(), "jpg");
        assertEquals(200, raw.pairs());
        System.out.printf("raw-pixel verification accuracy on held-out identities: %.4f over %d pairs%n",
                raw.accuracy(), raw.pairs());
        assertTrue(raw.accuracy() <= 0.70, "raw-pixel accuracy " + raw.accuracy() + " must stay <= 0.70");
        // Sanity: the same image against itself scores 1 and beats every different pair.
        List<LfwPairs.Pair> self = pairs.pairs().stream()
                .map(p -> p.same() ? new LfwPairs.Pair(p.name1(), p.index1(), p.name1(), p.index1()) : p).toList();
        assertEquals(1.0, PixelBaseline.evaluate(set.testRoot(), self, "jpg").accuracy());
    }

    @Test
    void bestThresholdAccuracyCountsTiesTogether() {
        assertEquals(1.0, PixelBaseline.bestThreshold(new double[] {0.9, 0.8, 0.1}, new boolean[] {true, true, false})
                .accuracy());
        assertEquals(0.5, PixelBaseline.bestThreshold(new double[] {0.5, 0.5}, new boolean[] {true, false}).accuracy());
        assertEquals(0.75, PixelBaseline.bestThreshold(new double[] {0.2, 0.9, 0.8, 0.1},
                new boolean[] {true, false, false, false}).accuracy());
    }

    @Test
    void sameSeedSameBytesWhateverTheThreadCount() throws IOException {
        SyntheticFaces.Result again = small(dir.resolve("b")).threads(1).generate();
        List<Path> files = files(set.out());
        assertEquals(files, files(again.out()));
        for (Path rel : files) {
            assertEquals(-1L, Files.mismatch(set.out().resolve(rel), again.out().resolve(rel)), rel.toString());
        }
        SyntheticFaces.Result other = SyntheticFaces.builder(dir.resolve("c")).identities(2).imagesPerIdentity(2)
                .heldOutIdentities(0).seed(2025).generate();
        assertNotEquals(-1L, Files.mismatch(set.trainRoot().resolve("00000/0001.jpg"),
                other.trainRoot().resolve("00000/0001.jpg")));
        assertEquals(null, other.pairs());
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void refusesToOverwriteUnlessAsked() throws IOException {
        Path out = dir.resolve("d");
        SyntheticFaces.builder(out).identities(3).imagesPerIdentity(2).heldOutIdentities(0).generate();
        IOException e = assertThrows(IOException.class,
                () -> SyntheticFaces.builder(out).identities(2).imagesPerIdentity(2).heldOutIdentities(0).generate());
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        SyntheticFaces.builder(out).identities(2).imagesPerIdentity(2).heldOutIdentities(0).overwrite(true).generate();
        assertEquals(2, TrainList.fromFolders(out.resolve("train")).numClasses(), "stale identity folders removed");
        assertThrows(IllegalArgumentException.class, () -> SyntheticFaces.builder(out).nuisance(3));
    }

    /** The landmark files name every image once, in the lists' order, with its five points in place. */
    @Test
    void everyImageHasItsFiveLandmarks() throws IOException {
        List<String> train = Files.readAllLines(set.trainLandmarks());
        assertEquals(TrainList.read(set.trainList(), set.trainRoot()).entries().stream().map(TrainList.Entry::path).toList(),
                train.stream().map(l -> l.split(" ")[0]).toList());
        assertEquals(Files.readAllLines(set.imageList()), Files.readAllLines(set.testLandmarks()).stream()
                .map(l -> l.split(" ")[0]).toList());
        for (String line : train) {
            String[] v = line.split(" ")[1].split(",");
            assertEquals(10, v.length, line);
            float[] p = new float[10];
            for (int i = 0; i < 10; i++) {
                p[i] = Float.parseFloat(v[i]);
                assertTrue(p[i] > 0 && p[i] < 112, line);
            }
            // left eye left of the right eye, a mouth corner likewise; nose and mouth below the eyes, measured
            // across the line of the eyes (the head rolls up to 15 degrees)
            assertTrue(p[0] < p[2] && p[6] < p[8], line);
            double ex = p[2] - p[0], ey = p[3] - p[1], norm = Math.hypot(ex, ey);
            double nose = ((p[4] - p[0]) * -ey + (p[5] - p[1]) * ex) / norm;
            double mouth = (((p[6] + p[8]) / 2 - p[0]) * -ey + ((p[7] + p[9]) / 2 - p[1]) * ex) / norm;
            assertTrue(nose > 5 && mouth > 10, line + ": nose " + nose + ", mouth " + mouth + " px below the eyes");
        }
    }

    /** Without nuisances the face is frontal and still: each eye landmark is on the black pupil it names. */
    @Test
    void eyeLandmarksSitOnThePupils() {
        for (int identity = 0; identity < 5; identity++) {
            SyntheticFaces.Face face = SyntheticFaces.renderFace(9, identity, 1, 0);
            for (int eye = 0; eye < 2; eye++) {
                int x = (int) face.landmarks()[2 * eye];
                int y = (int) face.landmarks()[2 * eye + 1];
                int rgb = face.image().getRGB(x, y);
                int brightest = Math.max((rgb >> 16) & 0xff, Math.max((rgb >> 8) & 0xff, rgb & 0xff));
                assertTrue(brightest < 70, "identity " + identity + " eye " + eye + " at " + x + "," + y + ": "
                        + Integer.toHexString(rgb));
            }
            assertArrayEquals(face.landmarks(), SyntheticFaces.renderFace(9, identity, 1, 0).landmarks());
        }
    }

    @Test
    void lfwPairsReaderNamesFileAndLine() throws IOException {
        Path f = dir.resolve("bad_pairs.txt");
        Files.writeString(f, "1\t2\nA\t1\t2\nA\t1\tB\t2\nA\t1\tB\t2\nC\t1\tD\t1\n");
        DataException e = assertThrows(DataException.class, () -> LfwPairs.read(f));
        assertTrue(e.getMessage().startsWith(f + ":3: expected a same-person line"), e.getMessage());
        Files.writeString(f, "1\t1\nA\t1\t2\n");
        assertTrue(assertThrows(DataException.class, () -> LfwPairs.read(f)).getMessage().contains("file has 1"));
        Files.writeString(f, "1\t1\nA\tx\t2\nA\t1\tB\t2\n");
        assertTrue(assertThrows(DataException.class, () -> LfwPairs.read(f)).getMessage()
                .startsWith(f + ":2: image index 'x'"));
    }

    @Test
    void loaderReadsTheGeneratedJpegsIntoNDArrays() throws IOException {
        TrainList list = TrainList.read(set.trainList(), set.trainRoot());
        try (BatchLoader loader = BatchLoader.builder(list).batchSize(48).seed(1).workers(2)
                .augmentation(Augmentation.semiSiamese()).build();
             BatchLoader.Epoch epoch = loader.epoch(0);
             NDManager manager = NDManager.newBaseManager()) {
            int seen = 0;
            for (Batch b : epoch) {
                try (b) {
                    // every batch, including the short last one (32 of a 48-sample buffer)
                    NDArray x = b.toNDArray(manager);
                    NDArray y = b.labelsToNDArray(manager);
                    assertEquals(new ai.djl.ndarray.types.Shape(b.size(), 3, 112, 112), x.getShape());
                    assertArrayEquals(java.util.Arrays.copyOf(b.data(), b.size() * 3 * 112 * 112), x.toFloatArray());
                    assertArrayEquals(b.labelsAsLong(), y.toLongArray());
                    x.close();
                    y.close();
                    seen += b.size();
                }
            }
            assertEquals(320, seen);
            assertEquals(7, loader.batchesPerEpoch());
        }
    }
}
