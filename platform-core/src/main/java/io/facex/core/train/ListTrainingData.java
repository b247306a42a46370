package io.facex.core.train;

import ai.djl.ndarray.types.Shape;
import io.facex.api.Augmentation;
import io.facex.api.Sampling;
import io.facex.api.TrainingData;
import io.facex.data.BadImagePolicy;
import io.facex.data.BatchLoader;
import io.facex.data.DataException;
import io.facex.data.ImageHeader;
import io.facex.data.ImagePipeline;
import io.facex.data.TrainList;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
    private final long maxPixels;
    private final DataLog log;
    private final boolean cropEye;
    private BatchLoader loader;

    private ListTrainingData(TrainList list, int workers, long seed, int width, int height, boolean skipBad,
                             Augmentation augmentation, long maxPixels, DataLog log, boolean cropEye) {
        this.cropEye = cropEye;
        this.maxPixels = maxPixels;
        this.log = log;
        this.skipBad = skipBad;
        this.augmentation = augmentation;
        this.list = list;
        this.workers = workers;
        this.seed = seed;
        this.width = width;
        this.height = height;
    }

    /** {@link #open(TrainCommand.DataRequest)} with the list checked up front and nothing logged. */
    public static TrainingData open(Path dataRoot, Path trainFile, int workers, long seed, boolean skipBadImages,
                                    Shape input, Sampling sampling, Augmentation augmentation) throws IOException {
        return open(new TrainCommand.DataRequest(dataRoot, trainFile, workers, seed, skipBadImages,
                ImageHeader.DEFAULT_MAX_PIXELS, true, input, sampling, augmentation, DataLog.NONE, false));
    }

    /**
     * Reads the list (errors name its file and line) and, unless asked not to, checks that every image
     * it names is there; images are decoded only when batches are drawn, at the backbone's input size
     * ({@code request.input()}: (channels, height, width)) — other sizes are resized to it — or, with
     * {@code crop_eye}, as the top rows of each 112×112 face.
     */
    public static TrainingData open(TrainCommand.DataRequest r) throws IOException {
        TrainList list = TrainList.read(r.trainFile(), r.dataRoot());
        if (r.checkList()) {
            check(list, r.skipBadImages(), r.log());
        }
        int width = (int) r.input().get(2);
        int height = (int) r.input().get(1);
        if (r.cropEye() && io.facex.data.EyeCrop.mismatch(width, height) != null) {
            throw new IllegalArgumentException(io.facex.data.EyeCrop.mismatch(width, height));
        }
        if (r.sampling() == Sampling.IDENTITY_PAIRS) {
            return new IdentityPairs(list, r.workers(), r.seed(), width, height, r.skipBadImages(), r.augmentation(),
                    r.maxImagePixels(), r.cropEye());
        }
        return new ListTrainingData(list, r.workers(), r.seed(), width, height, r.skipBadImages(), r.augmentation(),
                r.maxImagePixels(), r.log(), r.cropEye());
    }

    /** Errors listed at most, before "and N more". */
    private static final int LISTED = 10;

    /**
     * Every missing or empty image, before training starts rather than when the loader reaches it: with
     * skip-bad-images each is logged as skipped, without it the job stops naming them all.
     */
    static void check(TrainList list, boolean skipBad, DataLog log) {
        String task = "checking " + list.source().getFileName();
        List<DataException> bad = list.unreadable(done -> log.checking(task, done, list.size()));
        if (bad.isEmpty()) {
            return;
        }
        if (skipBad) {
            bad.forEach(log::skipped);
            return;
        }
        StringBuilder more = new StringBuilder();
        for (DataException d : bad.subList(1, Math.min(bad.size(), LISTED))) {
            more.append("\n  ").append(d.getMessage());
        }
        if (bad.size() > LISTED) {
            more.append("\n  ... and ").append(bad.size() - LISTED).append(" more");
        }
        DataException first = bad.get(0);
        throw new DataException(first.file(), first.line(), first.problem() + more + "\n" + bad.size() + " of " + list.size()
                + " images of " + list.source() + " cannot be read: fix the list (facex trainlist ROOT LIST writes one "
                + "from the folders), or pass --skip_bad_images to train without them");
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
                loader.close();
            }
            loader = BatchLoader.builder(list).batchSize(batchSize).shuffle(true).seed(seed)
                    .augmentation(augmentation).workers(workers).imageSize(width, height)
                    .resizeToFit(ImagePipeline.resizesCropsFor(width, height, cropEye)).cropEye(cropEye)
                    .maxImagePixels(maxPixels).onSkip(log::skipped)
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
