package io.facex.data;

import io.facex.api.Augmentation;
import java.util.random.RandomGenerator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Encoded image bytes to a normalised CHW float sample: decode, optional random augmentation, then
 * FaceX-Zoo's {@code (x - 127.5) * 0.0078125}. One per worker thread: it keeps its native scratch
 * buffers between images so the hot path allocates nothing but the file's bytes. Not thread-safe;
 * close it to free the native memory.
 */
public final class ImagePipeline implements AutoCloseable {

    private final Augmentation augmentation;
    private final int width;
    private final int height;
    private final boolean resizeToFit;
    private final long maxPixels;
    private final boolean cropEye;

    private BytePointer encoded = new BytePointer(64 * 1024);
    private final Mat decoded = new Mat();
    private final Mat scratchA = new Mat();
    private final Mat scratchB = new Mat();
    private boolean closed;

    /**
     * @param width       sample width (FaceX-Zoo: 112)
     * @param height      sample height (FaceX-Zoo: 112)
     * @param resizeToFit false: an image of another size is a {@link BadImageException} (FaceX-Zoo expects
     *                    pre-cropped images and would fail at batching); true: resize it bilinearly
     */
    public ImagePipeline(Augmentation augmentation, int width, int height, boolean resizeToFit) {
        this(augmentation, width, height, resizeToFit, ImageHeader.DEFAULT_MAX_PIXELS);
    }

    /** @param maxPixels the largest {@code width x height} an image may declare; larger ones are refused unread */
    public ImagePipeline(Augmentation augmentation, int width, int height, boolean resizeToFit, long maxPixels) {
        this(augmentation, width, height, resizeToFit, maxPixels, false);
    }

    /**
     * @param cropEye take the top rows of each aligned face first ({@link EyeCrop}); the sample is then
     *                {@code 112 x 60}, and {@code resizeToFit} applies to the face before the crop
     */
    public ImagePipeline(Augmentation augmentation, int width, int height, boolean resizeToFit, long maxPixels,
                         boolean cropEye) {
        if (cropEye && EyeCrop.mismatch(width, height) != null) {
            throw new IllegalArgumentException(EyeCrop.mismatch(width, height));
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the image size limit must be positive, got " + maxPixels);
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (augmentation.cropProbability() > 0 && 2 * augmentation.cropMargin() > Math.min(width, height)) {
            throw new IllegalArgumentException("crop margin " + augmentation.cropMargin() + " is too large for "
                    + width + "x" + height + " images");
        }
        this.augmentation = augmentation;
        this.width = width;
        this.height = height;
        this.resizeToFit = resizeToFit;
        this.maxPixels = maxPixels;
        this.cropEye = cropEye;
    }

    /**
     * FaceX-Zoo's crops are 112×112. A network declaring another input size gets them resized, in training
     * and in evaluation alike, so that a model is verified on the faces it was trained on; at 112 an image
     * of another size stays an error, as FaceX-Zoo's would.
     */
    public static boolean resizesCropsFor(int width, int height) {
        return width != 112 || height != 112;
    }

    /** As {@link #resizesCropsFor(int, int)}; with {@code cropEye} the crop itself is the model's input size, and faces stay 112×112 as FaceX-Zoo's. */
    public static boolean resizesCropsFor(int width, int height, boolean cropEye) {
        return !cropEye && resizesCropsFor(width, height);
    }

    /** Floats per sample: {@code 3 * height * width}. */
    public int sampleLength() {
        return 3 * height * width;
    }

    /**
     * Decodes {@code bytes[0..length)} and writes the sample at {@code dst[offset]}.
     *
     * @param source for error messages: the file, and the list line when there is one
     * @param rng    the sample's own random numbers; unused (may be null) when the augmentation is none
     */
    public void process(byte[] bytes, int length, String source, RandomGenerator rng, float[] dst, int offset)
            throws BadImageException {
        ensureOpen();
        ImageHeader.check(bytes, length, source, maxPixels);
        if (encoded.capacity() < length) {
            encoded.close();
            encoded = new BytePointer(Math.max(length, 2 * encoded.capacity()));
        }
        encoded.position(0).put(bytes, 0, length);
        ImageOps.decode(encoded, length, decoded, source, maxPixels);
        process(decoded, source, rng, dst, offset);
    }

    /** Augments and normalises an already decoded BGR image (left unchanged) into {@code dst[offset]}. */
    public void process(Mat bgr, String source, RandomGenerator rng, float[] dst, int offset)
            throws BadImageException {
        ensureOpen();
        if (rng == null && !augmentation.isNone()) {
            throw new IllegalArgumentException("augmentation " + augmentation + " needs a random generator");
        }
        if (!cropEye) {
            augment(bgr, source, rng, dst, offset);
            return;
        }
        Mat face = bgr;
        if (face.rows() != EyeCrop.FACE || face.cols() != EyeCrop.FACE) {
            if (!resizeToFit) {
                throw new BadImageException(source, "image is " + face.cols() + "x" + face.rows() + " pixels, expected "
                        + EyeCrop.FACE + "x" + EyeCrop.FACE + " (crop_eye takes the top " + EyeCrop.ROWS
                        + " rows of the aligned face: crop and align faces to that size first)");
            }
            ImageOps.resize(face, scratchB, EyeCrop.FACE, EyeCrop.FACE);
            face = scratchB;
        }
        // A view: augmentation writes into the scratch Mats, never onto it.
        try (Mat upper = EyeCrop.of(face)) {
            augment(upper, source, rng, dst, offset);
        }
    }

    private void augment(Mat bgr, String source, RandomGenerator rng, float[] dst, int offset) throws BadImageException {
        Mat cur = bgr;
        if (cur.rows() != height || cur.cols() != width) {
            if (!resizeToFit) {
                throw new BadImageException(source, "image is " + cur.cols() + "x" + cur.rows() + " pixels, expected "
                        + width + "x" + height + " (the model's input: crop and align faces to that size first)");
            }
            ImageOps.resize(cur, scratchA, width, height);
            cur = scratchA;
        }
        Augmentation a = augmentation;
        boolean gray = false;
        if (!a.isNone()) {
            // Draws happen in FaceX-Zoo's order; each sample has its own generator, so the order only
            // matters for reproducing a given seed.
            if (a.cropProbability() > 0 && rng.nextDouble() < a.cropProbability()) {
                int m = a.cropMargin();
                int x1 = rng.nextInt(m);
                int y1 = rng.nextInt(m);
                int x2 = height - m + rng.nextInt(m);
                int y2 = width - m + rng.nextInt(m);
                try (Mat view = ImageOps.crop(cur, x1, x2, y1, y2)) {
                    Mat out = other(cur);
                    ImageOps.resize(view, out, width, height);
                    cur = out;
                }
            }
            if (a.flipProbability() > 0 && rng.nextDouble() < a.flipProbability()) {
                Mat out = other(cur);
                ImageOps.flipHorizontal(cur, out);
                cur = out;
            }
            if (a.grayProbability() > 0 && rng.nextDouble() < a.grayProbability()) {
                Mat out = other(cur);
                ImageOps.gray(cur, out);
                cur = out;
                gray = true;
            }
            if (a.rotateProbability() > 0 && rng.nextDouble() < a.rotateProbability()) {
                int max = a.maxRotationDegrees();
                int degrees = rng.nextInt(-max, max + 1);
                Mat out = other(cur);
                ImageOps.rotate(cur, out, degrees, width, height);
                cur = out;
            }
        }
        ImageOps.toChw(cur, dst, offset, gray && a.grayReplicate());
    }

    /** The scratch Mat not holding {@code cur}: operations never write onto their own input. */
    private Mat other(Mat cur) {
        return cur == scratchA ? scratchB : scratchA;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("image pipeline is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            encoded.close();
            decoded.close();
            scratchA.close();
            scratchB.close();
        }
    }
}
