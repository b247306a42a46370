package io.facex.data;

import io.facex.api.Augmentation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns a {@link TrainList} into batches with worker threads reading ahead, like PyTorch's
 * {@code DataLoader(shuffle=True, num_workers=N)} in FaceX-Zoo's training loop.
 *
 * <p>Deterministic: for a given seed, epoch {@code e} yields the same batches in the same order whatever
 * the number of workers and however the threads are scheduled. The epoch's sample order comes from
 * {@code (seed, e)}, and each sample draws its augmentation from its own generator seeded with
 * {@code (seed, e, list index)}; workers fill whole batches and the consumer takes them strictly in
 * order.
 *
 * <p>Memory stays flat: at most {@code prefetch} batches are loaded or being loaded ahead of the
 * consumer, and closed batches' pixel buffers are reused.
 *
 * <pre>{@code
 * try (BatchLoader loader = BatchLoader.builder(list).batchSize(64).seed(7).workers(3).build()) {
 *     for (int e = 0; e < epochs; e++) {
 *         try (BatchLoader.Epoch epoch = loader.epoch(e)) {
 *             for (Batch b : epoch) {
 *                 try (b) { ... b.toNDArray(manager) ... }
 *             }
 *         }
 *     }
 * }
 * }</pre>
 */
public final class BatchLoader implements AutoCloseable {

    private static final int KEPT_REASONS = 20;
    private static final long SHUFFLE_KEY = 0x5348_5546_464CL;
    private static final Loaded EMPTY = new Loaded(null, List.of());

    /** A loaded batch (null when every image of it was skipped) and the images left out of it. */
    private record Loaded(Batch batch, List<DataException> skipped) {
    }

    private final TrainList list;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final Augmentation augmentation;
    private final int workers;
    private final int prefetch;
    private final BadImagePolicy badImages;
    private final boolean dropLast;
    private final int width;
    private final int height;
    private final boolean resizeToFit;
    private final boolean cropEye;
    private final long maxPixels;
    private final java.util.function.Consumer<DataException> onSkip;
    private final int sampleLength;
    private final ArrayBlockingQueue<float[]> freeBuffers;
    private final AtomicLong skippedTotal = new AtomicLong();
    private final AtomicInteger buffersAllocated = new AtomicInteger();
    private Epoch current;
    private boolean closed;

    private BatchLoader(Builder b) {
        this.list = b.list;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.augmentation = b.augmentation;
        this.workers = b.workers;
        this.prefetch = b.prefetch > 0 ? b.prefetch : 2 * b.workers;
        this.badImages = b.badImages;
        this.dropLast = b.dropLast;
        this.width = b.width;
        this.height = b.height;
        this.resizeToFit = b.resizeToFit;
        this.cropEye = b.cropEye;
        this.maxPixels = b.maxPixels;
        this.onSkip = b.onSkip;
        this.sampleLength = 3 * width * height;
        this.freeBuffers = new ArrayBlockingQueue<>(this.prefetch + this.workers + 1);
        // Fail now rather than in a worker: an impossible crop margin or size is a configuration error.
        new ImagePipeline(augmentation, width, height, resizeToFit, maxPixels, cropEye).close();
    }

    public static Builder builder(TrainList list) {
        return new Builder(list);
    }

    /** Batches per epoch before any image is skipped. */
    public int batchesPerEpoch() {
        int n = list.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    public TrainList list() {
        return list;
    }

    public int batchSize() {
        return batchSize;
    }

    /** The list indices in the order epoch {@code epoch} visits them (before dropping a last partial batch). */
    public int[] order(int epoch) {
        int n = list.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom r = Seeds.random(seed, SHUFFLE_KEY, epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /**
     * Starts epoch {@code epoch} (numbered by the caller, usually from 0); its workers start loading at
     * once. An epoch of this loader still open is closed first.
     */
    public synchronized Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * Starts epoch {@code epoch} at batch {@code firstBatch}, as if the batches before it had been taken
     * and dropped, without loading them: a batch's images and augmentations depend only on the epoch's
     * order and each image's own random numbers, never on the batches before it (resuming mid-epoch).
     */
    public synchronized Epoch epoch(int epoch, int firstBatch) {
        if (closed) {
            throw new IllegalStateException("batch loader is closed");
        }
        if (firstBatch < 0) {
            throw new IllegalArgumentException("firstBatch must be ≥ 0, got " + firstBatch);
        }
        if (current != null) {
            current.close();
        }
        current = new Epoch(epoch, order(epoch), firstBatch);
        current.start();
        return current;
    }

    /** Images skipped so far over all epochs ({@link BadImagePolicy#SKIP}). */
    public long skippedTotal() {
        return skippedTotal.get();
    }

    /** Pixel buffers allocated so far: stays at about {@code prefetch + 1} when batches are closed. */
    int buffersAllocated() {
        return buffersAllocated.get();
    }

    /** Stops the workers of the open epoch, if any, and waits for them. */
    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
        freeBuffers.clear();
    }

    private float[] takeBuffer() {
        float[] b = freeBuffers.poll();
        if (b == null) {
            buffersAllocated.incrementAndGet();
            b = new float[batchSize * sampleLength];
        }
        return b;
    }

    private void recycle(float[] buffer) {
        if (buffer.length == batchSize * sampleLength) {
            freeBuffers.offer(buffer); // full: drop it, the garbage collector takes it
        }
    }

    /**
     * One pass over the list. Iterate it once (it is its own iterator); close it to stop its workers
     * early. It closes itself when the last batch has been taken.
     */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {

        private final int epoch;
        private final int[] order;
        private final int batches;
        private final Object[] ring;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final List<Thread> threads = new ArrayList<>();
        private int skipped;
        private final List<String> reasons = new ArrayList<>();
        private int nextClaim;
        private int nextConsume;
        private volatile boolean stopped;
        private volatile Throwable fatal;
        private Batch pending;

        private Epoch(int epoch, int[] order, int firstBatch) {
            this.epoch = epoch;
            this.order = order;
            this.batches = batchesPerEpoch();
            this.ring = new Object[prefetch];
            this.nextClaim = Math.min(firstBatch, batches);
            this.nextConsume = nextClaim;
        }

        private void start() {
            int n = Math.min(workers, batches - nextClaim);
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(this::work, "facex-data-e" + epoch + "-w" + i);
                t.setDaemon(true); // a loader left open must not keep the JVM alive
                threads.add(t);
            }
            threads.forEach(Thread::start);
        }

        public int epoch() {
            return epoch;
        }

        /** Batches this epoch yields at most (fewer when every image of a batch was skipped). */
        public int batches() {
            return batches;
        }

        /** Images skipped in the batches taken so far; final once the epoch is exhausted. */
        public int skipped() {
            return skipped;
        }

        /** The first few skipped images with the reason, {@code list.txt:12: image 'a/b.jpg': ...}. */
        public List<String> skippedReasons() {
            return List.copyOf(reasons);
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            while (pending == null) {
                if (nextConsume >= batches) {
                    close();
                    return false;
                }
                Object r = take();
                if (r instanceof Loaded loaded) {
                    // Reported here, on the consumer's thread and in batch order, whatever the workers' timing.
                    for (DataException skip : loaded.skipped()) {
                        skipped++;
                        skippedTotal.incrementAndGet();
                        if (reasons.size() < KEPT_REASONS) {
                            reasons.add(skip.getMessage());
                        }
                        if (onSkip != null) {
                            onSkip.accept(skip);
                        }
                    }
                    pending = loaded.batch();
                } else if (r instanceof RuntimeException e) {
                    close();
                    throw e;
                } else if (r instanceof Error e) {
                    close();
                    throw e;
                }
                // a null batch: every image of it was skipped
            }
            return true;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has no more batches");
            }
            Batch b = pending;
            pending = null;
            return b;
        }

        private Object take() {
            lock.lock();
            try {
                int slot = nextConsume % ring.length;
                while (ring[slot] == null) {
                    if (fatal != null) {
                        throw new IllegalStateException("a loader thread of epoch " + epoch + " died: " + fatal, fatal);
                    }
                    if (stopped) {
                        throw new IllegalStateException("epoch " + epoch + " is closed");
                    }
                    changed.await();
                }
                Object r = ring[slot];
                ring[slot] = null;
                nextConsume++;
                changed.signalAll();
                return r;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for batch " + nextConsume + " of epoch " + epoch, e);
            } finally {
                lock.unlock();
            }
        }

        /** Next batch index to load, waiting while the read-ahead window is full; -1 when done. */
        private int claim() throws InterruptedException {
            lock.lock();
            try {
                while (!stopped && nextClaim < batches && nextClaim >= nextConsume + ring.length) {
                    changed.await();
                }
                return stopped || nextClaim >= batches ? -1 : nextClaim++;
            } finally {
                lock.unlock();
            }
        }

        private void publish(int k, Object result) {
            lock.lock();
            try {
                if (stopped) {
                    discard(result);
                    return;
                }
                ring[k % ring.length] = result;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void work() {
            try (ImagePipeline pipeline = new ImagePipeline(augmentation, width, height, resizeToFit, maxPixels, cropEye)) {
                for (int k; (k = claim()) >= 0; ) {
                    Object result;
                    try {
                        result = load(k, pipeline);
                    } catch (RuntimeException | Error e) {
                        result = e;
                    }
                    publish(k, result);
                }
            } catch (InterruptedException e) {
                // closed while waiting for room: just end
            } catch (RuntimeException | Error e) {
                // e.g. OpenCV's native libraries failed to load: the consumer must not wait forever
                lock.lock();
                try {
                    fatal = e;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        private Object load(int k, ImagePipeline pipeline) {
            int from = k * batchSize;
            int to = Math.min(from + batchSize, list.size());
            float[] data = takeBuffer();
            int[] labels = new int[to - from];
            int[] indices = new int[to - from];
            List<DataException> skips = new ArrayList<>(0);
            int filled = 0;
            for (int i = from; i < to; i++) {
                if (stopped) {
                    recycle(data);
                    return EMPTY;
                }
                int s = order[i];
                TrainList.Entry e = list.get(s);
                Path file = list.resolve(e);
                try {
                    byte[] bytes = Files.readAllBytes(file);
                    SplittableRandom rng = augmentation.isNone() ? null : Seeds.random(seed, epoch, s);
                    pipeline.process(bytes, bytes.length, file.toString(), rng, data, filled * sampleLength);
                    labels[filled] = e.label();
                    indices[filled] = s;
                    filled++;
                } catch (IOException ex) {
                    if (stopped) { // closing interrupts the file read (ClosedByInterruptException): not the image's fault
                        recycle(data);
                        return EMPTY;
                    }
                    DataException problem = problem(e, ex);
                    if (badImages == BadImagePolicy.FAIL) {
                        recycle(data);
                        throw problem;
                    }
                    skips.add(problem);
                } catch (RuntimeException ex) {
                    recycle(data);
                    throw list.problem(e, ex.getMessage() != null ? ex.getMessage() : "cannot be used", ex);
                }
            }
            if (filled == 0) {
                recycle(data);
                return new Loaded(null, skips);
            }
            if (filled < labels.length) {
                labels = Arrays.copyOf(labels, filled);
                indices = Arrays.copyOf(indices, filled);
            }
            return new Loaded(new Batch(epoch, k, filled, 3, height, width, data, labels, indices, BatchLoader.this::recycle),
                    skips);
        }

        private DataException problem(TrainList.Entry e, IOException ex) {
            String detail = ex instanceof NoSuchFileException ? "no such file"
                    : ex instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : ex instanceof BadImageException bad ? bad.problem()
                    : ex.getMessage() != null ? ex.getMessage() : "cannot be read";
            return list.problem(e, detail, ex);
        }

        private void discard(Object result) {
            if (result instanceof Loaded l && l.batch() != null) {
                l.batch().close();
            }
        }

        /** Stops the workers, waits for them to end and returns unconsumed buffers; idempotent. */
        @Override
        public void close() {
            List<Thread> toJoin;
            lock.lock();
            try {
                toJoin = new ArrayList<>(threads);
                threads.clear();
                if (stopped && toJoin.isEmpty()) {
                    return;
                }
                stopped = true;
                for (int i = 0; i < ring.length; i++) {
                    discard(ring[i]);
                    ring[i] = null;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (pending != null) {
                pending.close();
                pending = null;
            }
            boolean interrupted = false;
            for (Thread t : toJoin) {
                t.interrupt(); // only wakes a worker blocked in claim(); file reads are not interruptible here
                while (t.isAlive()) {
                    try {
                        t.join(TimeUnit.SECONDS.toMillis(30));
                    } catch (InterruptedException ie) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Loader options; defaults follow FaceX-Zoo's conventional training. */
    public static final class Builder {
        private final TrainList list;
        private int batchSize = 128;
        private boolean shuffle = true;
        private long seed;
        private Augmentation augmentation = Augmentation.conventional();
        private int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private int prefetch;
        private BadImagePolicy badImages = BadImagePolicy.FAIL;
        private boolean dropLast;
        private int width = 112;
        private int height = 112;
        private boolean resizeToFit;
        private boolean cropEye;
        private long maxPixels = ImageHeader.DEFAULT_MAX_PIXELS;
        private java.util.function.Consumer<DataException> onSkip;

        private Builder(TrainList list) {
            if (list == null) {
                throw new IllegalArgumentException("no training list");
            }
            this.list = list;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Default true: a new order every epoch, derived from the seed. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Default {@link Augmentation#conventional()}; {@link Augmentation#none()} for evaluation. */
        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = java.util.Objects.requireNonNull(augmentation, "augmentation");
            return this;
        }

        /** Loading threads; default min(4, processors). Results do not depend on it. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Batches loaded ahead of the consumer at most (the memory bound); default 2 x workers. */
        public Builder prefetch(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("prefetch must be at least 1 batch, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** Default {@link BadImagePolicy#FAIL}. */
        public Builder onBadImage(BadImagePolicy policy) {
            this.badImages = java.util.Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Default false: like FaceX-Zoo, the last partial batch is kept. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Sample size, default 112 x 112. */
        public Builder imageSize(int width, int height) {
            if (width < 1 || height < 1) {
                throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
            }
            this.width = width;
            this.height = height;
            return this;
        }

        /** Default false: an image of another size is a bad image; true resizes it bilinearly. */
        public Builder resizeToFit(boolean resize) {
            this.resizeToFit = resize;
            return this;
        }

        /** Default false; true: FaceX-Zoo's {@code crop_eye}, the top rows of each face ({@link EyeCrop}), 112 x 60 samples. */
        public Builder cropEye(boolean cropEye) {
            this.cropEye = cropEye;
            return this;
        }

        /** The largest {@code width x height} an image may declare; default {@link ImageHeader#DEFAULT_MAX_PIXELS}. */
        public Builder maxImagePixels(long pixels) {
            if (pixels < 1) {
                throw new IllegalArgumentException("the image size limit must be positive, got " + pixels);
            }
            this.maxPixels = pixels;
            return this;
        }

        /**
         * Told of every image {@link BadImagePolicy#SKIP} leaves out, on the thread taking the batches and in
         * batch order (so a log of them reads the same on every run).
         */
        public Builder onSkip(java.util.function.Consumer<DataException> listener) {
            this.onSkip = listener;
            return this;
        }

        public BatchLoader build() {
            if (dropLast && list.size() < batchSize) {
                throw new IllegalArgumentException("the list has " + list.size() + " images, fewer than one batch of "
                        + batchSize + ", and dropLast is set: every epoch would be empty");
            }
            return new BatchLoader(this);
        }
    }
}
