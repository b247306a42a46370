package io.facex.core.train;

import ai.djl.ndarray.types.Shape;
import io.facex.api.Augmentation;
import io.facex.api.Sampling;
import io.facex.api.TrainingData;
import io.facex.api.TrainingSummary;
import io.facex.data.DataException;
import io.facex.tools.synthetic.SyntheticFaces;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a training job tells about its data: lists checked up front, every skipped image named once, a resumed report. */
class TrainingDataReportTest {

    @TempDir
    static Path dir;
    static SyntheticFaces.Result faces;

    @BeforeAll
    static void data() throws Exception {
        faces = SyntheticFaces.builder(dir.resolve("faces")).identities(3).imagesPerIdentity(4).heldOutIdentities(0)
                .folds(0).seed(2).threads(2).overwrite(true).generate();
    }

    /** The synthetic list with lines 3 and 7 pointing at a missing and an empty file, and line 10 at a truncated JPEG. */
    private static Path damagedList(Path root) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(faces.trainList()));
        lines.set(2, "00000/gone.jpg 0");
        Files.write(root.resolve("00001/empty.jpg"), new byte[0]);
        lines.set(6, "00001/empty.jpg 1");
        byte[] jpeg = Files.readAllBytes(root.resolve(lines.get(9).split(" ")[0]));
        Files.write(root.resolve("00002/cut.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        lines.set(9, "00002/cut.jpg 2");
        return Files.write(dir.resolve("damaged.txt"), lines);
    }

    private static TrainingData open(Path list, boolean skip, DataLog log) throws Exception {
        return ListTrainingData.open(new TrainCommand.DataRequest(faces.trainRoot(), list, 2, 0, skip, 50_000_000, true,
                new Shape(3, 112, 112), Sampling.IMAGES, Augmentation.none(), log, false));
    }

    @Test
    void aListIsCheckedUpFrontAndEveryMissingImageIsNamedAtOnce() throws Exception {
        Path list = damagedList(faces.trainRoot());
        DataException e = assertThrows(DataException.class, () -> open(list, false, DataLog.NONE));
        assertEquals(list, e.file());
        assertEquals(3, e.line());
        String m = e.getMessage();
        assertTrue(m.startsWith(list + ":3: image '00000/gone.jpg' (" + faces.trainRoot().resolve("00000/gone.jpg")
                + "): no such file\n  " + list + ":7: image '00001/empty.jpg'"), m);
        assertTrue(m.contains("empty file, not an image\n2 of 12 images of " + list + " cannot be read"), m);
        assertTrue(m.endsWith("or pass --skip_bad_images to train without them"), m);
    }

    @Test
    void everySkippedImageIsNamedOnceInTheLogAndSkippedTxtAndAResumeContinuesBoth() throws Exception {
        Path list = damagedList(faces.trainRoot());
        Path out = Files.createDirectories(dir.resolve("out"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (TrainingReport report = new TrainingReport(out, 0, new PrintStream(console, true), false)) {
            TrainingData data = open(list, true, report);
            try (AutoCloseable c = (AutoCloseable) data) {
                for (int epoch = 0; epoch < 2; epoch++) {
                    try (TrainingData.Batches b = data.epoch(epoch, 4, 0)) {
                        while (b.hasNext()) {
                            b.next();
                        }
                    }
                }
            }
            assertEquals(3, report.skippedCount(), "each image once, however many epochs meet it");
            report.begin(4);
            for (int step = 1; step <= 4; step++) {
                report.progress(0, step - 1, 4, step, 10 - step, 0.1, 50);
            }
            report.finished(new TrainingSummary(1, 4, 9, 6, out.resolve("Epoch_0.safetensors")));
        }
        List<String> skipped = Files.readAllLines(out.resolve(TrainingReport.SKIPPED));
        assertEquals(3, skipped.size(), skipped.toString());
        // The two the check found come first, then the truncated JPEG the decoder refused.
        assertTrue(skipped.get(0).startsWith(list + ":3: image '00000/gone.jpg'"), skipped.toString());
        assertTrue(skipped.get(1).startsWith(list + ":7: image '00001/empty.jpg'"), skipped.toString());
        assertTrue(skipped.get(2).startsWith(list + ":10: image '00002/cut.jpg'") && skipped.get(2).contains("truncated JPEG"),
                skipped.toString());
        String log = Files.readString(out.resolve(TrainingReport.LOG));
        for (String line : skipped) {
            assertTrue(log.contains(" skipped " + line + "\n"), line + " in\n" + log);
        }

        // A run resumed from step 2: the CSV keeps steps 1-2, drops 3-4 (trained again), continues; the plot sees all.
        try (TrainingReport report = new TrainingReport(out, 2, new PrintStream(console, true), false)) {
            report.skipped(new DataException(list, 3, "image '00000/gone.jpg' (x): no such file"));
            report.begin(6);
            for (int step = 3; step <= 6; step++) {
                report.progress(1, step - 3, 4, step, 20 - step, 0.01, 50);
            }
            report.failed("disk full");
        }
        List<String> csv = Files.readAllLines(out.resolve(TrainingReport.CSV), StandardCharsets.UTF_8);
        assertEquals("step,epoch,batch,loss,lr,images_per_second", csv.get(0));
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), csv.stream().skip(1).map(l -> l.split(",")[0]).toList());
        assertTrue(csv.get(2).startsWith("2,0,1,8.0"), csv.get(2));
        assertTrue(csv.get(3).startsWith("3,1,0,17.0"), csv.get(3));
        assertEquals(3, Files.readAllLines(out.resolve(TrainingReport.SKIPPED)).size(), "already named: not again");
        assertTrue(Files.readString(out.resolve(TrainingReport.LOG)).contains(" failed: disk full\n"));
        // A fresh run starts both afresh.
        try (TrainingReport report = new TrainingReport(out, 0, new PrintStream(console, true), false)) {
            report.begin(1);
        }
        assertEquals(1, Files.readAllLines(out.resolve(TrainingReport.CSV)).size());
        assertTrue(Files.notExists(out.resolve(TrainingReport.SKIPPED)));
    }
}
