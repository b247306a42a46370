package io.facex.core.train;

import ai.djl.ndarray.types.Shape;
import io.facex.api.Augmentation;
import io.facex.api.Sampling;
import io.facex.api.TrainingData;
import io.facex.data.EyeCrop;
import io.facex.data.ImageOps;
import io.facex.data.TrainList;
import io.facex.tools.synthetic.SyntheticFaces;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training data with crop_eye: batches of the top 60 rows of each face, for both ways of drawing them. */
class EyeCropTrainingDataTest {

    @TempDir
    static Path dir;
    static SyntheticFaces.Result faces;
    static final int SAMPLE = 3 * 60 * 112;

    @BeforeAll
    static void data() throws Exception {
        faces = SyntheticFaces.builder(dir.resolve("faces")).identities(3).imagesPerIdentity(2).heldOutIdentities(0)
                .folds(0).seed(5).threads(1).overwrite(true).generate();
    }

    private static TrainingData open(Shape input, Sampling sampling) throws Exception {
        return ListTrainingData.open(new TrainCommand.DataRequest(faces.trainRoot(), faces.trainList(), 1, 0, false,
                50_000_000, true, input, sampling, Augmentation.none(), DataLog.NONE, true));
    }

    private static float[] upper(TrainList list, long label, float[] batch, int row) throws Exception {
        float[] want = new float[SAMPLE];
        float[] got = Arrays.copyOfRange(batch, row * SAMPLE, (row + 1) * SAMPLE);
        for (TrainList.Entry e : list.entries()) {
            if (e.label() != label) {
                continue;
            }
            try (Mat face = ImageOps.read(list.resolve(e)); Mat top = EyeCrop.of(face)) {
                ImageOps.toChw(top, want, 0, false);
            }
            if (Arrays.equals(want, got)) {
                return want;
            }
        }
        return want;
    }

    @Test
    void batchesHoldTheTopRowsOfTheListedFaces() throws Exception {
        TrainList list = TrainList.read(faces.trainList(), faces.trainRoot());
        for (Sampling s : new Sampling[] {Sampling.IMAGES, Sampling.IDENTITY_PAIRS}) {
            TrainingData td = open(new Shape(3, 60, 112), s);
            try (TrainingData.Batches b = td.epoch(0, 3, 0)) {
                TrainingData.Batch batch = b.next();
                assertEquals(3 * SAMPLE, batch.images().length, s.toString());
                for (int i = 0; i < 3; i++) {
                    // each sample is the upper half of one of its identity's faces, pixel for pixel
                    assertArrayEquals(upper(list, batch.labels()[i], batch.images(), i),
                            Arrays.copyOfRange(batch.images(), i * SAMPLE, (i + 1) * SAMPLE), s + " sample " + i);
                }
            } finally {
                ((AutoCloseable) td).close();
            }
        }
    }

    @Test
    void aFullFaceBackboneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> open(new Shape(3, 112, 112), Sampling.IMAGES));
        assertTrue(e.getMessage().startsWith("crop_eye gives 112x60 faces"), e.getMessage());
    }
}
