package io.facex.core.train;

import ai.djl.ndarray.types.Shape;
import io.facex.api.Augmentation;
import io.facex.api.Sampling;
import io.facex.api.TrainingData;
import io.facex.data.BadImagePolicy;
import io.facex.data.BatchLoader;
import io.facex.data.TrainList;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A FaceX-Zoo training list served by the data module's loader: OpenCV decoding on worker threads at
 * the backbone's input size, the mode's augmentation, normalisation, a shuffled order fixed by
 * (seed, epoch) so a resumed job sees the same batches.
 */
public final class ListTrainingData implements TrainingData, AutoCloseable {

    private final TrainList list;
    private final int workers;
    private final long seed;
    private final int width;
    private final int height;
    private final boolean skipBad;
    private final Augmentation augmentation;
    private BatchLoader loader;
    private long skippedBefore;

    private ListTrainingData(TrainList list, int workers, long seed, int width, int height, boolean skipBad,
                             Augmentation augmentation) {
        this.skipBad = skipBad;
        this.augmentation = augmentation;
        this.list = list;
        this.workers = workers;
        this.seed = seed;
        this.width = width;
        this.height = height;
    }

    /**
     * Reads the list (errors name its file and line); images are decoded only when batches are drawn.
     *
     * @param input the backbone's (channels, height, width): images of another size are resized to it
     */
    public static TrainingData open(Path dataRoot, Path trainFile, int workers, long seed, boolean skipBadImages,
                                    Shape input, Sampling sampling, Augmentation augmentation) throws IOException {
        TrainList list = TrainList.read(trainFile, dataRoot);
        int width = (int) input.get(2);
        int height = (int) input.get(1);
        if (sampling == Sampling.IDENTITY_PAIRS) {
            return new IdentityPairs(list, workers, seed, width, height, skipBadImages, augmentation);
        }
        return new ListTrainingData(list, workers, seed, width, height, skipBadImages, augmentation);
    }

    /** FaceX-Zoo's training crops are 112×112; a backbone declaring another input size gets them resized. */
    static boolean resizes(int width, int height) {
        return width != 112 || height != 112;
    }

    /** Unreadable images skipped so far (only with skip-bad-images; otherwise the first one stops the job). */
    public synchronized long skipped() {
        return skippedBefore + (loader == null ? 0 : loader.skippedTotal());
    }

    @Override
    public int size() {
        return list.size();
    }

    @Override
    public int numClasses() {
        return list.numClasses();
    }

    @Override
    public synchronized Batches epoch(int epoch, int batchSize, int firstBatch) {
        if (loader == null || loader.batchSize() != batchSize) {
            if (loader != null) {
                skippedBefore += loader.skippedTotal();
                loader.close();
            }
            loader = BatchLoader.builder(list).batchSize(batchSize).shuffle(true).seed(seed)
                    .augmentation(augmentation).workers(workers).imageSize(width, height)
                    .resizeToFit(resizes(width, height))
                    .onBadImage(skipBad ? BadImagePolicy.SKIP : BadImagePolicy.FAIL).build();
        }
        // Resuming mid-epoch starts loading at the first batch not yet trained on.
        BatchLoader.Epoch e = loader.epoch(epoch, firstBatch);
        return new Batches() {
            @Override
            public boolean hasNext() {
                return e.hasNext();
            }

            @Override
            public TrainingData.Batch next() {
                try (io.facex.data.Batch b = e.next()) {
                    return new TrainingData.Batch(b.copyData(), b.labelsAsLong(), b.size());
                }
            }

            @Override
            public void close() {
                e.close();
            }
        };
    }

    @Override
    public synchronized void close() {
        if (loader != null) {
            loader.close();
        }
    }
}
