package io.facex.core.train;

import ai.djl.ndarray.types.Shape;
import io.facex.api.Augmentation;
import io.facex.api.Sampling;
import io.facex.api.TrainingData;
import io.facex.tools.synthetic.SyntheticFaces;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Semi-siamese sampling on real JPEGs: every identity once per epoch, as two different images of it. */
class IdentityPairsTest {

    @TempDir
    static Path dir;
    static SyntheticFaces.Result faces;

    @BeforeAll
    static void data() throws Exception {
        faces = SyntheticFaces.builder(dir.resolve("faces")).identities(7).imagesPerIdentity(3).heldOutIdentities(0)
                .folds(0).seed(5).threads(2).overwrite(true).generate();
    }

    private static TrainingData open(long seed) throws Exception {
        return ListTrainingData.open(faces.trainRoot(), faces.trainList(), 2, seed, false, new Shape(3, 112, 112),
                Sampling.IDENTITY_PAIRS, Augmentation.none());
    }

    /** Whole batches only (FaceX-Zoo's drop_last): 7 identities in batches of 3 are 2 batches, 6 identities. */
    @Test
    void anEpochVisitsEveryIdentityOnceAsTwoDifferentImages() throws Exception {
        TrainingData data = open(1);
        try (AutoCloseable c = (AutoCloseable) data) {
            assertEquals(7, data.size());
            assertEquals(7, data.numClasses());
            assertEquals(2, data.batchesPerEpoch(3));
            assertEquals(7, data.batchesPerEpoch(1));
            Set<Long> seen = new HashSet<>();
            try (TrainingData.Batches b = data.epoch(0, 1, 0)) {
                assertEquals(7, b.count());
                while (b.hasNext()) {
                    TrainingData.Batch batch = b.next();
                    assertNotNull(batch.secondImages(), "both views");
                    assertEquals(batch.images().length, batch.secondImages().length);
                    int sample = 3 * 112 * 112;
                    for (int k = 0; k < batch.size(); k++) {
                        assertTrue(seen.add(batch.labels()[k]), "identity " + batch.labels()[k] + " twice in an epoch");
                        float[] one = Arrays.copyOfRange(batch.images(), k * sample, (k + 1) * sample);
                        float[] two = Arrays.copyOfRange(batch.secondImages(), k * sample, (k + 1) * sample);
                        assertFalse(Arrays.equals(one, two), "two different images of identity " + batch.labels()[k]);
                    }
                }
            }
            assertEquals(7, seen.size());
            try (TrainingData.Batches b = data.epoch(0, 3, 0)) {
                assertEquals(2, b.count());
                int n = 0;
                while (b.hasNext()) {
                    assertEquals(3, b.next().size(), "only whole batches");
                    n++;
                }
                assertEquals(2, n);
            }
        }
    }

    /** An epoch may leave identities out (semi-siamese training's queued ones); the rest are drawn as before. */
    @Test
    void anEpochLeavesOutTheIdentitiesItIsAskedTo() throws Exception {
        TrainingData data = open(1);
        try (AutoCloseable c = (AutoCloseable) data) {
            Set<Long> seen = new HashSet<>();
            try (TrainingData.Batches b = data.epoch(0, 1, 0, Set.of(0L, 4L))) {
                assertEquals(5, b.count());
                while (b.hasNext()) {
                    seen.add(b.next().labels()[0]);
                }
            }
            assertEquals(Set.of(1L, 2L, 3L, 5L, 6L), seen);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> data.epoch(0, 6, 0, Set.of(0L, 1L, 2L)));
            assertTrue(e.getMessage().contains("4 identities outside the 3 left out this epoch cannot fill one batch of 6"),
                    e.getMessage());
        }
    }

    @Test
    void pairsAreFixedBySeedAndEpochSoAResumedJobSeesTheSameBatches() throws Exception {
        IdentityPairs a = (IdentityPairs) open(1);
        IdentityPairs b = (IdentityPairs) open(1);
        try (a; b) {
            assertTrue(Arrays.deepEquals(a.pairs(2), b.pairs(2)));
            assertFalse(Arrays.deepEquals(a.pairs(0), a.pairs(1)), "another epoch, another order");
            List<long[]> all = new ArrayList<>();
            try (TrainingData.Batches it = a.epoch(1, 3, 0)) {
                while (it.hasNext()) {
                    all.add(it.next().labels());
                }
            }
            try (TrainingData.Batches it = b.epoch(1, 3, 1)) {
                TrainingData.Batch resumed = it.next();
                assertArrayEquals(all.get(1), resumed.labels(), "resuming at batch 1 gives batch 1");
            }
        }
    }

    @Test
    void skippingBadImagesIsRefusedForPairs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListTrainingData.open(
                faces.trainRoot(), faces.trainList(), 1, 0, true, new Shape(3, 112, 112), Sampling.IDENTITY_PAIRS,
                Augmentation.none()));
        assertTrue(e.getMessage().contains("--skip_bad_images cannot be used with identity-paired sampling"), e.getMessage());
        assertTrue(Files.exists(faces.trainList()));
    }
}
