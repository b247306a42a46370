package io.facex.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One batch: {@link #size()} samples as float32 NCHW plus their labels. The pixel array may be longer
 * than the batch (it is a reused, full-batch buffer): only the first {@link #size()} samples are data.
 *
 * <p>Closing a batch hands its pixel buffer back to the loader for reuse; do not touch {@link #data()}
 * afterwards. A batch that is never closed is simply garbage collected.
 */
public final class Batch implements AutoCloseable {

    private final int epoch;
    private final int index;
    private final int size;
    private final int channels;
    private final int height;
    private final int width;
    private float[] data;
    private final int[] labels;
    private final int[] sampleIndices;
    private final Consumer<float[]> recycler;

    Batch(int epoch, int index, int size, int channels, int height, int width, float[] data, int[] labels,
            int[] sampleIndices, Consumer<float[]> recycler) {
        this.epoch = epoch;
        this.index = index;
        this.size = size;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.data = data;
        this.labels = labels;
        this.sampleIndices = sampleIndices;
        this.recycler = recycler;
    }

    public int epoch() {
        return epoch;
    }

    /** Position of this batch in its epoch, from 0. */
    public int index() {
        return index;
    }

    /** Samples in this batch: the batch size, or fewer for the last batch or after skipped images. */
    public int size() {
        return size;
    }

    /** Floats per sample ({@code channels * height * width}). */
    public int sampleLength() {
        return channels * height * width;
    }

    /** NCHW shape of the valid data: {@code (size, 3, height, width)}. */
    public Shape shape() {
        return new Shape(size, channels, height, width);
    }

    /** The valid pixels as a new array of their own, which outlives the batch's recycled buffer. */
    public float[] copyData() {
        return java.util.Arrays.copyOf(data(), size * sampleLength());
    }

    /** Pixels, NCHW; the first {@code size() * sampleLength()} floats are valid. */
    public float[] data() {
        if (data == null) {
            throw new IllegalStateException("batch " + index + " of epoch " + epoch + " is closed");
        }
        return data;
    }

    public int[] labels() {
        return labels;
    }

    /** Labels widened to long, the index type DJL's losses take. */
    public long[] labelsAsLong() {
        return Arrays.stream(labels).asLongStream().toArray();
    }

    /** Which list entries (indices into the {@link TrainList}) the samples are, in order. */
    public int[] sampleIndices() {
        return sampleIndices;
    }

    /**
     * The pixels as a new {@code (size, 3, H, W)} float32 array owned by {@code manager}. DJL stages them
     * in a fresh direct buffer that only the garbage collector frees; a loop over many batches should
     * copy through one reused buffer instead ({@code io.facex.nn.Staging}, as the training modes do).
     */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(FloatBuffer.wrap(data(), 0, size * sampleLength()), shape());
    }

    /** The labels as a new {@code (size)} int64 array owned by {@code manager}. */
    public NDArray labelsToNDArray(NDManager manager) {
        return manager.create(labelsAsLong());
    }

    @Override
    public void close() {
        float[] d = data;
        data = null;
        if (d != null && recycler != null) {
            recycler.accept(d);
        }
    }

    @Override
    public String toString() {
        return "Batch[epoch " + epoch + ", " + index + ", " + size + " samples]";
    }
}
