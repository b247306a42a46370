package io.facex.core.eval;

import io.facex.core.embed.Embedder;
import io.facex.core.nn.Djl;
import io.facex.core.jobs.Jobs;
import io.facex.api.Augmentation;
import io.facex.data.ImagePipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Features of an image list as FaceX-Zoo's extractor computes them (eval mode, list order, L2-normalised),
 * with decoding on worker threads a few batches ahead of the network, and optional flip fusion (the
 * normalised sum of the features of the image and its mirror; FaceX-Zoo has none, so it is off by
 * default). An image that is missing or cannot be decoded does not stop the run: it is recorded in
 * {@link FeatureSet#failures()} and the protocols count the pairs it spoils.
 */
public final class FeatureExtractor {

    private final int workers;
    private final boolean flip;
    private final long maxPixels;
    private final boolean cropEye;
    private final int batch;

    /** With the default image size limit ({@link io.facex.data.ImageHeader#DEFAULT_MAX_PIXELS}). */
    public FeatureExtractor(int workers, boolean flip) {
        this(workers, flip, io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS);
    }

    /**
     * @param workers   decoding threads (≥ 1)
     * @param flip      fuse each face with its mirror image
     * @param maxPixels the largest width x height an image may declare; larger ones are refused unread
     */
    public FeatureExtractor(int workers, boolean flip, long maxPixels) {
        this(workers, flip, maxPixels, false);
    }

    /** @param cropEye the model takes the upper half of each aligned face ({@link io.facex.data.EyeCrop}), as it was trained */
    public FeatureExtractor(int workers, boolean flip, long maxPixels, boolean cropEye) {
        this(workers, flip, maxPixels, cropEye, Embedder.CHUNK);
    }

    /** @param batch images decoded together and passed through the network at once (≥ 1) */
    public FeatureExtractor(int workers, boolean flip, long maxPixels, boolean cropEye, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be ≥ 1, got " + batch);
        }
        this.batch = batch;
        this.maxPixels = maxPixels;
        this.cropEye = cropEye;
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be ≥ 1, got " + workers);
        }
        this.workers = workers;
        this.flip = flip;
    }

    public boolean flip() {
        return flip;
    }

    private record Decoded(float[] faces, int count, Map<String, String> failures) {
    }

    /**
     * @param root     folder the list's relative paths are resolved against (absolute paths stay)
     * @param progress told how many images each finished batch held
     */
    public <C> FeatureSet extract(Embedder<C> embedder, Path root, List<String> images, IntConsumer progress)
            throws IOException {
        Djl.noGradOnThisThread();
        int dim = embedder.dimension();
        int h = (int) embedder.faceShape().get(1);
        int w = (int) embedder.faceShape().get(2);
        float[] out = new float[images.size() * dim];
        Map<String, String> failures = new LinkedHashMap<>();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "facex-eval-decode-" + threadNo.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try (Jobs.Job job = Jobs.start()) {
            ArrayDeque<Future<Decoded>> ahead = new ArrayDeque<>();
            int next = 0;
            for (int from = 0; from < images.size(); from += batch) {
                // keep every worker busy plus one batch ready, and no more in memory
                while (next < images.size() && ahead.size() <= workers) {
                    int lo = next;
                    int hi = Math.min(images.size(), lo + batch);
                    ahead.add(pool.submit(() -> decode(root, images.subList(lo, hi), w, h, maxPixels, cropEye)));
                    next = hi;
                }
                Jobs.checkStop("feature extraction");
                Decoded d = get(ahead.poll());
                failures.putAll(d.failures());
                float[] f = features(embedder, d.faces(), d.count(), w, h);
                System.arraycopy(f, 0, out, from * dim, d.count() * dim);
                progress.accept(d.count());
            }
        } finally {
            pool.shutdownNow();
        }
        return new FeatureSet(images, out, dim, failures);
    }

    private float[] features(Embedder<?> e, float[] faces, int n, int w, int h) {
        if (!flip) {
            return e.embed(faces, n, true);
        }
        float[] a = e.embed(faces, n, false);
        float[] b = e.embed(mirror(faces, n, w, h), n, false);
        int dim = e.dimension();
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int k = i * dim; k < (i + 1) * dim; k++) {
                a[k] += b[k];
                norm += (double) a[k] * a[k];
            }
            float scale = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
            for (int k = i * dim; k < (i + 1) * dim; k++) {
                a[k] *= scale;
            }
        }
        return a;
    }

    /** Each (C, H, W) face mirrored left to right. */
    static float[] mirror(float[] faces, int n, int w, int h) {
        float[] m = new float[faces.length];
        int rows = faces.length / w;
        for (int r = 0; r < rows; r++) {
            int base = r * w;
            for (int x = 0; x < w; x++) {
                m[base + x] = faces[base + w - 1 - x];
            }
        }
        return m;
    }

    private static Decoded decode(Path root, List<String> paths, int w, int h, long maxPixels, boolean cropEye) {
        float[] faces = new float[paths.size() * 3 * h * w];
        Map<String, String> failures = new LinkedHashMap<>();
        try (ImagePipeline pipeline = new ImagePipeline(Augmentation.none(), w, h, ImagePipeline.resizesCropsFor(w, h, cropEye),
                maxPixels, cropEye)) {
            for (int k = 0; k < paths.size(); k++) {
                String p = paths.get(k);
                Path file = root.resolve(p);
                try {
                    byte[] bytes = Files.readAllBytes(file);
                    pipeline.process(bytes, bytes.length, file.toString(), null, faces, k * 3 * h * w);
                } catch (NoSuchFileException e) {
                    failures.put(p, file + ": no such image");
                } catch (IOException | RuntimeException e) {
                    failures.put(p, e.getMessage() != null && e.getMessage().contains(file.toString())
                            ? e.getMessage() : file + ": " + e.getMessage());
                }
            }
        }
        return new Decoded(faces, paths.size(), failures);
    }

    private static Decoded get(Future<Decoded> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while extracting features", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c.getMessage(), c);
        }
    }
}
