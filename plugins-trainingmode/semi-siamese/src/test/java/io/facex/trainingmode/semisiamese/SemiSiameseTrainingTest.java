package io.facex.trainingmode.semisiamese;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;
import io.facex.api.TrainingSummary;
import io.facex.backbone.mobilefacenet.MobileFaceNet;
import io.facex.core.checkpoint.Checkpoint;
import io.facex.core.train.TrainingRun;
import io.facex.head.mvsoftmax.MvSoftmax;
import io.facex.head.sstprototype.SstPrototype;
import io.facex.testkit.TrainingModeContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training-mode contract, and semi-siamese training through the platform's training loop: real
 * training on tiny inputs (MobileFaceNet at 16×16, 32-d features), 24 identities with two images each
 * (a class pattern plus noise), batches of 4 pairs, a prototype queue of 8.
 */
class SemiSiameseTrainingTest extends TrainingModeContract<SemiSiameseTraining.Config> {

    SemiSiameseTrainingTest() {
        super(new SemiSiameseTraining());
    }

    private static final int IDENTITIES = 24;
    private static final int SIDE = 16;
    private static final int PIXELS = 3 * SIDE * SIDE;
    private static final MobileFaceNet.Config NET = new MobileFaceNet.Config(32, 1, 1);
    private static final SstPrototype.Config HEAD = new SstPrototype.Config(32, 8, 32.0, "am_softmax", 0.35);

    @TempDir
    Path out;

    @Override
    protected SemiSiameseTraining.Config testConfig() {
        return config(2, 0.1, 0.999);
    }

    private static SemiSiameseTraining.Config config(int epochs, double lr, double alpha) {
        return new SemiSiameseTraining.Config(lr, epochs, "", 0.9, 5e-4, 4, 1, 2, alpha, 5);
    }

    /** Two noisy views of each identity's pattern; order fixed by the epoch; records what each epoch left out. */
    static final class Pairs implements TrainingData {
        final float[][][] views = new float[IDENTITIES][2][];
        final List<Set<Long>> excludedPerEpoch = new ArrayList<>();

        Pairs() {
            Random r = new Random(7);
            for (int id = 0; id < IDENTITIES; id++) {
                float[] pattern = new float[PIXELS];
                for (int i = 0; i < PIXELS; i++) {
                    pattern[i] = (float) r.nextGaussian();
                }
                for (int v = 0; v < 2; v++) {
                    float[] img = new float[PIXELS];
                    for (int i = 0; i < PIXELS; i++) {
                        img[i] = pattern[i] + (float) r.nextGaussian() * 0.5f;
                    }
                    views[id][v] = img;
                }
            }
        }

        @Override
        public int size() {
            return IDENTITIES;
        }

        @Override
        public int numClasses() {
            return IDENTITIES;
        }

        @Override
        public Batches epoch(int epoch, int batchSize, int firstBatch) {
            return epoch(epoch, batchSize, firstBatch, Set.of());
        }

        @Override
        public Batches epoch(int epoch, int batchSize, int firstBatch, Set<Long> excluded) {
            excludedPerEpoch.add(new HashSet<>(excluded));
            List<Integer> order = new ArrayList<>();
            for (int id = 0; id < IDENTITIES; id++) {
                if (!excluded.contains((long) id)) {
                    order.add(id);
                }
            }
            Collections.shuffle(order, new Random(31L * epoch + 1));
            int batches = order.size() / batchSize;
            return new Batches() {
                int next = firstBatch;

                public boolean hasNext() {
                    return next < batches;
                }

                public Batch next() {
                    float[] a = new float[batchSize * PIXELS];
                    float[] b = new float[batchSize * PIXELS];
                    long[] y = new long[batchSize];
                    for (int k = 0; k < batchSize; k++) {
                        int id = order.get(next * batchSize + k);
                        System.arraycopy(views[id][0], 0, a, k * PIXELS, PIXELS);
                        System.arraycopy(views[id][1], 0, b, k * PIXELS, PIXELS);
                        y[k] = id;
                    }
                    next++;
                    return new Batch(a, y, batchSize, b);
                }

                public void close() {
                }

                public int count() {
                    return batches;
                }
            };
        }
    }

    class Run implements TrainingListener {
        final Pairs data = new Pairs();
        final List<Double> losses = new ArrayList<>();
        final List<Path> checkpoints = new ArrayList<>();
        Path resume;
        Path dir = out;
        int stopAfterCheckpoints = Integer.MAX_VALUE;

        TrainingSummary train(SemiSiameseTraining.Config config) throws IOException {
            SemiSiameseTraining mode = new SemiSiameseTraining();
            TrainingRun.Job<SemiSiameseTraining.Config, MobileFaceNet.Config, SstPrototype.Config> job = new TrainingRun.Job<>(
                    mode, config, mode.plan(config), new MobileFaceNet(), NET, new SstPrototype(), HEAD, new HeadSize(32, 0), 1.0,
                    dir, resume, null, Map.of());
            return TrainingRun.train(job, data, this, () -> checkpoints.size() >= stopAfterCheckpoints);
        }

        public void progress(int epoch, int batch, int perEpoch, long step, double loss, double lr, double ips) {
            losses.add(loss);
        }

        public void checkpoint(Path file) {
            checkpoints.add(file);
        }
    }

    @Test
    void theLossFallsAndTheCheckpointHoldsProbeGalleryAndQueue() throws Exception {
        Run run = new Run();
        TrainingSummary s = run.train(config(6, 0.1, 0.9));
        double first = run.losses.subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        int n = run.losses.size();
        double last = run.losses.subList(n - 4, n).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < first, "loss " + run.losses);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = Checkpoint.read(s.lastCheckpoint(), m).tensors();
            assertTrue(t.containsKey("backbone.conv1.conv.weight"), t.keySet().toString());
            assertTrue(t.containsKey("gallery.conv1.conv.weight"), t.keySet().toString());
            assertTrue(t.containsKey("head.queue"), t.keySet().toString());
            assertTrue(t.containsKey("optimizer.momentum_buffer.backbone.conv1.conv.weight"), t.keySet().toString());
            assertTrue(t.keySet().stream().noneMatch(k -> k.startsWith("optimizer.momentum_buffer.gallery.")),
                    "the gallery is not trained by SGD");
        }
    }

    /**
     * After one step the gallery is α·(the probe it started as) + (1 − α)·(the probe after the step). The
     * starting probe comes from a run with the same seed whose one step cannot move it (lr 1e-30).
     */
    @Test
    void theGalleryIsAMovingAverageOfTheProbe() throws Exception {
        Run run = new Run();
        run.stopAfterCheckpoints = 1;
        run.train(new SemiSiameseTraining.Config(0.1, 1, "", 0.9, 5e-4, 4, 1, 1, 0.75, 5));
        Run still = new Run();
        still.dir = Files.createDirectories(out.resolve("still"));
        still.stopAfterCheckpoints = 1;
        still.train(new SemiSiameseTraining.Config(1e-30, 1, "", 0.0, 0.0, 4, 1, 1, 0.75, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> one = Checkpoint.read(run.checkpoints.get(0), m).tensors();
            Map<String, NDArray> start = Checkpoint.read(still.checkpoints.get(0), m).tensors();
            String k = "conv1.conv.weight";
            float[] p0 = start.get("backbone." + k).toFloatArray();
            float[] p1 = one.get("backbone." + k).toFloatArray();
            float[] g1 = one.get("gallery." + k).toFloatArray();
            assertTrue(!java.util.Arrays.equals(p0, p1), "the step moved the probe");
            for (int i = 0; i < p0.length; i++) {
                assertEquals(0.75f * p0[i] + 0.25f * p1[i], g1[i], 1e-6f, "gallery[" + i + "]");
            }
            // batch norm's running statistics are the gallery's own (FaceX-Zoo averages parameters() only)
            String stat = "conv1.bn.running_mean";
            float[] probeStat = one.get("backbone." + stat).toFloatArray();
            float[] galleryStat = one.get("gallery." + stat).toFloatArray();
            assertTrue(!java.util.Arrays.equals(probeStat, galleryStat), "the gallery keeps its own statistics");
        }
    }

    /** Each epoch leaves out the identities whose features are in the queue at its start, as FaceX-Zoo does. */
    @Test
    void eachEpochLeavesOutTheQueuedIdentities() throws Exception {
        Run run = new Run();
        run.train(config(3, 0.1, 0.999));
        List<Set<Long>> ex = run.data.excludedPerEpoch;
        assertEquals(3, ex.size());
        assertTrue(ex.get(0).isEmpty(), "nothing is queued before the first step");
        assertEquals(8, ex.get(1).size(), "a queue of 8 holds the last two batches' 8 identities: " + ex.get(1));
        assertEquals(8, ex.get(2).size(), ex.get(2).toString());
    }

    @Test
    void resumingInsideAnEpochContinuesExactly() throws Exception {
        Run straight = new Run();
        straight.train(config(2, 0.1, 0.9));
        Path keep = Files.copy(out.resolve("Epoch_1.safetensors"), out.resolve("reference.safetensors"));

        Run first = new Run();
        first.stopAfterCheckpoints = 5; // Epoch_0_batch_1, _3, _5, Epoch_0, then one inside epoch 1
        first.train(config(2, 0.1, 0.9));
        Path last = first.checkpoints.get(first.checkpoints.size() - 1);
        assertTrue(last.getFileName().toString().startsWith("Epoch_1_batch_"), first.checkpoints.toString());
        Run second = new Run();
        second.resume = last;
        second.train(config(2, 0.1, 0.9));
        assertEquals(first.data.excludedPerEpoch.get(1), second.data.excludedPerEpoch.get(0),
                "the resumed epoch leaves out what it left out before");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = Checkpoint.read(keep, m).tensors();
            Map<String, NDArray> b = Checkpoint.read(out.resolve("Epoch_1.safetensors"), m).tensors();
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) {
                if (a.get(k).getDataType().isFloating()) {
                    assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
                } else {
                    assertArrayEquals(a.get(k).toLongArray(), b.get(k).toLongArray(), k);
                }
            }
        }
    }

    @Test
    void aClassHeadOrABatchThatDoesNotDivideTheQueueIsRefused() {
        SemiSiameseTraining mode = new SemiSiameseTraining();
        SemiSiameseTraining.Config c = config(1, 0.1, 0.999);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.train(
                new TrainingRun.Job<>(mode, c, mode.plan(c), new MobileFaceNet(), NET, new MvSoftmax(),
                        new MvSoftmax.Config(32, IDENTITIES, 1, 0.35, 1.12, 32), new HeadSize(32, IDENTITIES), 1.0, out,
                        null, null, Map.of()), new Pairs(), new Run(), () -> false));
        assertTrue(e.getMessage().contains("--head_type SST_Prototype"), e.getMessage());
        SemiSiameseTraining.Config three = new SemiSiameseTraining.Config(0.1, 1, "", 0.9, 5e-4, 3, 1, 1, 0.999, 5);
        InvalidConfigException bad = assertThrows(InvalidConfigException.class, () -> TrainingRun.train(
                new TrainingRun.Job<>(mode, three, mode.plan(three), new MobileFaceNet(), NET, new SstPrototype(), HEAD,
                        new HeadSize(32, 0), 1.0, out, null, null, Map.of()), new Pairs(), new Run(), () -> false));
        assertEquals("batch_size", bad.key());
    }
}
