package io.facex.trainingmode.conventional;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.facex.api.HeadSize;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;
import io.facex.api.TrainingSummary;
import io.facex.backbone.mobilefacenet.MobileFaceNet;
import io.facex.core.checkpoint.Checkpoint;
import io.facex.core.train.TrainingRun;
import io.facex.head.mvsoftmax.MvSoftmax;
import io.facex.testkit.TrainingModeContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training-mode contract, and conventional training through the platform's training loop, as
 * {@code facex train} runs it. Real training on tiny inputs: MobileFaceNet at 16×16 (out 1×1),
 * MV-Softmax over 4 identities whose images differ by a class pattern plus noise.
 */
class ConventionalTrainingTest extends TrainingModeContract<ConventionalTraining.Config> {

    ConventionalTrainingTest() {
        super(new ConventionalTraining());
    }

    private static final int CLASSES = 4;
    private static final int SIDE = 16;
    private static final MobileFaceNet.Config NET = new MobileFaceNet.Config(32, 1, 1);
    private static final MvSoftmax.Config HEAD = new MvSoftmax.Config(32, CLASSES, 1, 0.35, 1.12, 32);

    @TempDir
    Path out;

    /** 32 images: class c has a bright c-th quadrant, plus per-image noise. Order fixed by (seed, epoch). */
    static final class Data implements TrainingData {
        final float[][] images = new float[32][];
        final long[] labels = new long[32];

        Data() {
            Random r = new Random(7);
            for (int i = 0; i < images.length; i++) {
                labels[i] = i % CLASSES;
                float[] img = new float[3 * SIDE * SIDE];
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < SIDE; y++) {
                        for (int x = 0; x < SIDE; x++) {
                            int quadrant = (y < SIDE / 2 ? 0 : 2) + (x < SIDE / 2 ? 0 : 1);
                            img[(c * SIDE + y) * SIDE + x] = (quadrant == labels[i] ? 0.8f : -0.2f) + (float) r.nextGaussian() * 0.3f;
                        }
                    }
                }
                images[i] = img;
            }
        }

        @Override
        public int size() {
            return images.length;
        }

        @Override
        public int numClasses() {
            return CLASSES;
        }

        @Override
        public Batches epoch(int epoch, int batchSize, int firstBatch) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(31L * epoch + 1));
            AtomicInteger next = new AtomicInteger(firstBatch * batchSize);
            return new Batches() {
                public boolean hasNext() {
                    return next.get() < order.size();
                }

                public Batch next() {
                    int from = next.getAndAdd(batchSize);
                    int n = Math.min(batchSize, order.size() - from);
                    float[] x = new float[n * 3 * SIDE * SIDE];
                    long[] y = new long[n];
                    for (int k = 0; k < n; k++) {
                        int idx = order.get(from + k);
                        System.arraycopy(images[idx], 0, x, k * 3 * SIDE * SIDE, 3 * SIDE * SIDE);
                        y[k] = labels[idx];
                    }
                    return new Batch(x, y, n);
                }

                public void close() {
                }
            };
        }
    }

    /** Collects what the loop reports, and asks it to stop after a number of checkpoints. */
    class Run implements TrainingListener {
        final Data data = new Data();
        final List<Double> losses = new ArrayList<>();
        final List<Path> checkpoints = new ArrayList<>();
        Path resume;
        int stopAfterCheckpoints = Integer.MAX_VALUE;
        double sampleRate = 1.0;
        int headClasses = CLASSES;

        TrainingSummary train(ConventionalTraining.Config config) throws IOException {
            ConventionalTraining mode = new ConventionalTraining();
            MvSoftmax head = new MvSoftmax();
            TrainingRun.Job<ConventionalTraining.Config, MobileFaceNet.Config, MvSoftmax.Config> job = new TrainingRun.Job<>(
                    mode, config, mode.plan(config), new MobileFaceNet(), NET, head, HEAD, new HeadSize(32, headClasses), sampleRate,
                    out, resume, null, Map.of("test", "yes"));
            return TrainingRun.train(job, data, this, () -> checkpoints.size() >= stopAfterCheckpoints);
        }

        public void progress(int epoch, int batch, int perEpoch, long step, double loss, double lr, double ips) {
            losses.add(loss);
        }

        public void checkpoint(Path file) {
            checkpoints.add(file);
        }
    }

    private static ConventionalTraining.Config config(int epochs, double lr) {
        return new ConventionalTraining.Config(lr, epochs, "3", 0.9, 1e-4, 8, 1, 2, 5);
    }

    private static Map<String, NDArray> weights(Path file, NDManager m) throws IOException {
        return Checkpoint.read(file, m).tensors();
    }

    @Test
    void lossFallsAndCheckpointsFollowFaceXZoosNaming() throws Exception {
        Run ctx = new Run();
        TrainingSummary s = ctx.train(config(4, 0.05));
        assertEquals(16, s.steps());
        // per-step losses on 8-image batches are noisy: compare the first and last four steps
        double first = ctx.losses.subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = ctx.losses.subList(12, 16).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < first * 0.6, "loss " + first + " -> " + last + " " + ctx.losses);
        assertEquals(ctx.losses.get(0), s.firstLoss());
        assertEquals(ctx.losses.get(15), s.lastLoss());
        assertTrue(Files.exists(out.resolve("Epoch_0_batch_1.safetensors")));
        assertTrue(Files.exists(out.resolve("Epoch_3.safetensors")));
        assertEquals(out.resolve("Epoch_3.safetensors"), s.lastCheckpoint());
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.Loaded c = Checkpoint.read(s.lastCheckpoint(), m);
            assertTrue(c.tensors().containsKey("backbone.conv1.conv.weight"), c.tensors().keySet().toString());
            assertEquals(new Shape(32, CLASSES), c.tensors().get("head.weight").getShape());
            assertTrue(c.tensors().containsKey("optimizer.momentum_buffer.head.weight"));
            assertEquals("3", c.meta().get("epoch"));
            assertEquals("16", c.meta().get("step"));
            assertEquals(Checkpoint.FORMAT, c.meta().get("format"));
            assertEquals("yes", c.meta().get("test"), "the job's description is in every checkpoint");
        }
    }

    @Test
    void resumingMidEpochContinuesExactly() throws Exception {
        Run straight = new Run();
        straight.train(config(2, 0.05));
        Path reference = out.resolve("Epoch_1.safetensors");
        Path keep = Files.copy(reference, out.resolve("reference.safetensors"));

        Run first = new Run();
        first.stopAfterCheckpoints = 3; // Epoch_0_batch_1, Epoch_0_batch_3, Epoch_0 → stops inside epoch 1
        first.train(config(2, 0.05));
        Path last = first.checkpoints.get(first.checkpoints.size() - 1);
        assertEquals("Epoch_1_batch_0.safetensors", last.getFileName().toString());

        Run second = new Run();
        second.resume = last;
        TrainingSummary s = second.train(config(2, 0.05));
        assertEquals(8, s.steps());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = weights(keep, m);
            Map<String, NDArray> b = weights(reference, m);
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) {
                assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k); // bit for bit
            }
        }
    }

    /**
     * Partial FC: a head of 40 classes over data of 4 scores 10 per step (the batch's 4 and 6 drawn at
     * random), still learns, and a run resumed mid-epoch draws the same classes and ends bit for bit where
     * the uninterrupted run ends, momentum of the sampled rows included.
     */
    @Test
    void sampledClassesLearnAndResumeExactly() throws Exception {
        Run straight = new Run();
        straight.sampleRate = 0.25;
        straight.headClasses = 40;
        straight.train(config(2, 0.05));
        double first = straight.losses.subList(0, 2).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = straight.losses.subList(6, 8).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < first, "loss " + straight.losses);
        Path keep = Files.copy(out.resolve("Epoch_1.safetensors"), out.resolve("reference.safetensors"));

        Run first3 = new Run();
        first3.sampleRate = 0.25;
        first3.headClasses = 40;
        first3.stopAfterCheckpoints = 3;
        first3.train(config(2, 0.05));
        Run second = new Run();
        second.sampleRate = 0.25;
        second.headClasses = 40;
        second.resume = first3.checkpoints.get(first3.checkpoints.size() - 1);
        second.train(config(2, 0.05));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = Checkpoint.read(keep, m).tensors();
            Map<String, NDArray> b = Checkpoint.read(out.resolve("Epoch_1.safetensors"), m).tensors();
            assertEquals(a.keySet(), b.keySet());
            assertTrue(a.containsKey("sampler.passes"), a.keySet().toString());
            assertTrue(a.containsKey("optimizer.momentum_buffer.head.weight"), a.keySet().toString());
            for (String k : a.keySet()) {
                if (a.get(k).getDataType().isFloating()) {
                    assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
                } else {
                    assertArrayEquals(a.get(k).toLongArray(), b.get(k).toLongArray(), k);
                }
            }
        }
    }

    /** 32 images at batch 31 leave one over: that batch is skipped with a note, not an engine error. */
    @Test
    void aLastBatchOfOneImageIsSkippedWithANote() throws Exception {
        List<String> messages = new ArrayList<>();
        Run run = new Run() {
            @Override
            public void message(String text) {
                messages.add(text);
            }
        };
        TrainingSummary s = run.train(new ConventionalTraining.Config(0.05, 1, "3", 0.9, 1e-4, 31, 1, 100, 5));
        assertEquals(1, s.steps(), "the batch of 31 trained, the batch of 1 skipped");
        assertTrue(messages.contains("epoch 0, batch 1 holds 1 image, too few for batch normalisation: skipped "
                + "(a batch size that does not leave one image over avoids it)"), messages.toString());
        assertTrue(Files.exists(out.resolve("Epoch_0.safetensors")));
    }

    @Test
    void nanLossStopsWithTheStepAndKeepsTheLastGoodCheckpoint() {
        Run ctx = new Run();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ctx.train(config(3, 1e12)));
        assertTrue(e.getMessage().matches("the loss became (NaN|Infinity|-Infinity) at epoch \\d+, batch \\d+ \\(step \\d+\\).*"), e.getMessage());
        assertTrue(e.getMessage().contains("Try a lower lr"), e.getMessage());
    }

    @Test
    void aFailedCheckpointWriteLeavesThePreviousOneIntact() throws Exception {
        Run ctx = new Run();
        ctx.train(config(1, 0.05));
        Path good = out.resolve("Epoch_0.safetensors");
        byte[] before = Files.readAllBytes(good);
        // Something in the way of the partial file (as a full disk would be): the write must fail cleanly.
        Files.createDirectory(out.resolve(".Epoch_0.safetensors.partial"));
        IOException e = assertThrows(IOException.class, () -> new Run().train(config(1, 0.05)));
        assertTrue(e.getMessage().contains("could not write checkpoint " + out.resolve("Epoch_0_batch_1.safetensors"))
                || e.getMessage().contains("any earlier checkpoint is intact"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(good));
    }

    /**
     * A real ENOSPC from the kernel: the partial file is a link to /dev/full, whose every write fails with
     * "No space left on device". The earlier checkpoint of that name stays byte-identical, nothing is left
     * behind, and resuming from the last good checkpoint reproduces the uninterrupted run bit for bit.
     */
    @Test
    void aFullDiskWhileSavingKeepsThePreviousCheckpointAndResumesExactly() throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs Linux's /dev/full");
        new Run().train(config(1, 0.05));
        Path epoch = out.resolve("Epoch_0.safetensors");
        byte[] reference = Files.readAllBytes(epoch);

        Path partial = Files.createSymbolicLink(out.resolve(".Epoch_0.safetensors.partial"), full);
        Run failing = new Run();
        IOException e = assertThrows(IOException.class, () -> failing.train(config(1, 0.05)));
        assertTrue(e.getMessage().startsWith("could not write checkpoint " + epoch), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertArrayEquals(reference, Files.readAllBytes(epoch));
        assertFalse(Files.exists(partial, java.nio.file.LinkOption.NOFOLLOW_LINKS));

        Run resumed = new Run();
        resumed.resume = failing.checkpoints.get(failing.checkpoints.size() - 1);
        assertEquals("Epoch_0_batch_3.safetensors", resumed.resume.getFileName().toString());
        resumed.train(config(1, 0.05));
        assertArrayEquals(reference, Files.readAllBytes(epoch));
    }

    @Test
    void truncatedOrForeignCheckpointsAreRefusedByName() throws Exception {
        Run ctx = new Run();
        ctx.train(config(1, 0.05));
        Path good = out.resolve("Epoch_0.safetensors");
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(out.resolve("cut.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Run r = new Run();
        r.resume = cut;
        IOException e = assertThrows(IOException.class, () -> r.train(config(2, 0.05)));
        assertTrue(e.getMessage().contains("cut.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
        Path junk = Files.writeString(out.resolve("junk.safetensors"), "hello");
        r.resume = junk;
        e = assertThrows(IOException.class, () -> r.train(config(2, 0.05)));
        assertTrue(e.getMessage().contains("junk.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }
}
