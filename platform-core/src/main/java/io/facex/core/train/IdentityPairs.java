package io.facex.core.train;

import io.facex.api.Augmentation;
import io.facex.api.TrainingData;
import io.facex.data.BadImagePolicy;
import io.facex.data.BatchLoader;
import io.facex.data.ImagePipeline;
import io.facex.data.Seeds;
import io.facex.data.TrainList;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * FaceX-Zoo's semi-siamese data set ({@code ImageDataset_SST}): an epoch visits every identity once, in
 * a shuffled order, as two different images of it (the same image twice when it has one), each with its
 * own augmentation. Which images, and in which order, is fixed by (seed, epoch), so a resumed job sees
 * the same pairs. The two views are read by two loaders over lists built for the epoch, so batch k of
 * each holds the same identities. Only whole batches are served ({@code drop_last}), and an epoch may
 * leave out identities (those in semi-siamese training's prototype queue).
 */
final class IdentityPairs implements TrainingData, AutoCloseable {

    private static final long ORDER_KEY = 0x4944_4F52_4445_52L;
    private static final long PICK_KEY = 0x4944_5049_434BL;
    private static final long SECOND_VIEW_KEY = 0x5345_434F_4E44L;

    private final TrainList list;
    private final List<List<Integer>> byLabel;
    private final int workers;
    private final long seed;
    private final int width;
    private final int height;
    private final Augmentation augmentation;
    private final List<Integer> labels = new ArrayList<>();
    private BatchLoader first;
    private BatchLoader second;

    private final long maxPixels;
    private final boolean cropEye;

    IdentityPairs(TrainList list, int workers, long seed, int width, int height, boolean skipBad, Augmentation augmentation,
                  long maxPixels, boolean cropEye) {
        this.cropEye = cropEye;
        if (skipBad) {
            // A skipped image in one view would pair the other view's images with the wrong identities.
            throw new IllegalArgumentException("--skip_bad_images cannot be used with identity-paired sampling: "
                    + "fix or remove the unreadable images from " + list.source());
        }
        this.list = list;
        this.byLabel = list.indicesByLabel();
        this.workers = workers;
        this.seed = seed;
        this.width = width;
        this.height = height;
        this.augmentation = augmentation;
        this.maxPixels = maxPixels;
        for (int label = 0; label < byLabel.size(); label++) {
            if (!byLabel.get(label).isEmpty()) {
                labels.add(label);
            }
        }
    }

    @Override
    public int size() {
        return labels.size();
    }

    @Override
    public int numClasses() {
        return list.numClasses();
    }

    /** Whole batches only: the last, partial one is dropped, as FaceX-Zoo's SST loader does. */
    @Override
    public int batchesPerEpoch(int batchSize) {
        return size() / batchSize;
    }

    /** The two list indices of each identity in epoch {@code epoch}'s order. */
    int[][] pairs(int epoch) {
        return pairs(epoch, java.util.Set.of());
    }

    /** As {@link #pairs(int)}, over the identities not in {@code excluded}. */
    int[][] pairs(int epoch, java.util.Set<Long> excluded) {
        List<Integer> order = new ArrayList<>(labels);
        if (!excluded.isEmpty()) {
            order.removeIf(label -> excluded.contains((long) label));
        }
        SplittableRandom r = Seeds.random(seed, ORDER_KEY, epoch);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            order.set(i, order.set(j, order.get(i)));
        }
        int[][] out = new int[order.size()][];
        for (int k = 0; k < out.length; k++) {
            int label = order.get(k);
            List<Integer> images = byLabel.get(label);
            SplittableRandom pick = Seeds.random(seed, PICK_KEY, epoch, label);
            int a = pick.nextInt(images.size());
            int b = a;
            if (images.size() > 1) {
                b = pick.nextInt(images.size() - 1);
                b = b >= a ? b + 1 : b;
            }
            out[k] = new int[] {images.get(a), images.get(b)};
        }
        return out;
    }

    @Override
    public Batches epoch(int epoch, int batchSize, int firstBatch) {
        return epoch(epoch, batchSize, firstBatch, java.util.Set.of());
    }

    @Override
    public synchronized Batches epoch(int epoch, int batchSize, int firstBatch, java.util.Set<Long> excluded) {
        closeLoaders();
        int[][] pairs = pairs(epoch, excluded);
        int batches = pairs.length / batchSize;
        List<TrainList.Entry> a = new ArrayList<>(batches * batchSize);
        List<TrainList.Entry> b = new ArrayList<>(batches * batchSize);
        for (int k = 0; k < batches * batchSize; k++) {
            a.add(list.get(pairs[k][0]));
            b.add(list.get(pairs[k][1]));
        }
        if (a.isEmpty()) {
            throw new IllegalArgumentException(pairs.length + " identities" + (excluded.isEmpty() ? "" : " outside the "
                    + excluded.size() + " left out this epoch") + " cannot fill one batch of " + batchSize
                    + ": lower --batch_size");
        }
        first = loader(list.subset(a), batchSize, Seeds.mix(seed, epoch));
        second = loader(list.subset(b), batchSize, Seeds.mix(seed, SECOND_VIEW_KEY, epoch));
        BatchLoader.Epoch ea = first.epoch(epoch, firstBatch);
        BatchLoader.Epoch eb = second.epoch(epoch, firstBatch);
        return new Batches() {
            @Override
            public boolean hasNext() {
                return ea.hasNext();
            }

            @Override
            public TrainingData.Batch next() {
                try (io.facex.data.Batch x = ea.next(); io.facex.data.Batch y = eb.next()) {
                    return new TrainingData.Batch(x.copyData(), x.labelsAsLong(), x.size(), y.copyData());
                }
            }

            @Override
            public void close() {
                ea.close();
                eb.close();
            }

            @Override
            public int count() {
                return batches;
            }
        };
    }

    private BatchLoader loader(TrainList views, int batchSize, long loaderSeed) {
        return BatchLoader.builder(views).batchSize(batchSize).shuffle(false).seed(loaderSeed)
                .augmentation(augmentation).workers(Math.max(1, workers / 2)).imageSize(width, height)
                .resizeToFit(ImagePipeline.resizesCropsFor(width, height, cropEye)).cropEye(cropEye).maxImagePixels(maxPixels)
                .onBadImage(BadImagePolicy.FAIL).build();
    }

    private void closeLoaders() {
        if (first != null) {
            first.close();
            second.close();
        }
    }

    @Override
    public synchronized void close() {
        closeLoaders();
    }
}
