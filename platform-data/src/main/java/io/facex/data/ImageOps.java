package io.facex.data;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * OpenCV image operations with FaceX-Zoo's ({@code cv2}) semantics: BGR uint8 images, HWC layout.
 *
 * <p>Mats are native memory: every Mat returned here belongs to the caller, who closes it. The
 * {@code (src, dst)} forms reuse {@code dst}'s buffer when it already has the right size and type, so a
 * worker that keeps its scratch Mats allocates nothing per image.
 */
public final class ImageOps {

    /** FaceX-Zoo's normalisation: {@code (x - 127.5) * 0.0078125}, i.e. {@code (x - 127.5) / 128}. */
    public static final float MEAN = 127.5f;
    public static final float SCALE = 0.0078125f;

    private static final ThreadLocal<byte[]> ROW = ThreadLocal.withInitial(() -> new byte[0]);

    private ImageOps() {
    }

    /** Reads and decodes an image file like {@code cv2.imread}: always 3-channel BGR. */
    public static Mat read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** {@link #decode(byte[], String, long)} with {@link ImageHeader#DEFAULT_MAX_PIXELS}. */
    public static Mat decode(byte[] bytes, String source) throws BadImageException {
        return decode(bytes, source, ImageHeader.DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes encoded bytes (JPEG, PNG, BMP, ...) to 3-channel BGR, once {@link ImageHeader#check} has
     * found them whole and no larger than {@code maxPixels}.
     *
     * @param source where the bytes came from, for the error message
     * @throws BadImageException when the file is truncated, corrupt, too large or not an image OpenCV reads
     */
    public static Mat decode(byte[] bytes, String source, long maxPixels) throws BadImageException {
        ImageHeader.check(bytes, bytes.length, source, maxPixels);
        try (BytePointer p = new BytePointer(Math.max(1, bytes.length))) {
            p.put(bytes, 0, bytes.length);
            Mat dst = new Mat();
            try {
                decode(p, bytes.length, dst, source, maxPixels);
                return dst;
            } catch (BadImageException | RuntimeException e) {
                dst.close();
                throw e;
            }
        }
    }

    /** Decodes {@code length} bytes at {@code encoded}, already {@link ImageHeader#check checked}, into {@code dst}. */
    static void decode(BytePointer encoded, int length, Mat dst, String source, long maxPixels) throws BadImageException {
        // imdecode leaves dst untouched when it fails, so a reused dst would pass the previous image off
        // as this one: drop it first (a 112x112 buffer is a cheap malloc next to a JPEG decode).
        dst.release();
        if (length == 0) {
            throw new BadImageException(source, "empty file, not an image");
        }
        try (Mat buf = new Mat(1, length, CV_8UC1, encoded)) {
            opencv_imgcodecs.imdecode(buf, IMREAD_COLOR, dst);
        } catch (RuntimeException e) { // OpenCV reports some malformed headers by throwing
            throw new BadImageException(source, "cannot decode image (" + length + " bytes): " + e.getMessage());
        }
        if (dst.empty()) {
            throw new BadImageException(source, "cannot decode image (" + length + " bytes): not a JPEG/PNG/BMP/... "
                    + "OpenCV can read, or corrupt");
        }
        // Formats ImageHeader does not walk are only measured once decoded.
        try {
            ImageHeader.checkSize(dst.cols(), dst.rows(), source, maxPixels);
        } catch (BadImageException e) {
            dst.release();
            throw e;
        }
    }

    /** Bilinear resize ({@code cv2.resize} default) to {@code width x height}. */
    public static void resize(Mat src, Mat dst, int width, int height) {
        try (Size size = new Size(width, height)) {
            opencv_imgproc.resize(src, dst, size, 0, 0, INTER_LINEAR);
        }
    }

    public static Mat resize(Mat src, int width, int height) {
        Mat dst = new Mat();
        resize(src, dst, width, height);
        return dst;
    }

    /** Mirror left-right ({@code cv2.flip(img, 1)}). */
    public static void flipHorizontal(Mat src, Mat dst) {
        opencv_core.flip(src, dst, 1);
    }

    public static Mat flipHorizontal(Mat src) {
        Mat dst = new Mat();
        flipHorizontal(src, dst);
        return dst;
    }

    /**
     * numpy's {@code img[rowStart:rowEnd, colStart:colEnd]}: a view sharing {@code src}'s pixels
     * (end exclusive). Close the view; {@code src} must outlive it.
     */
    public static Mat crop(Mat src, int rowStart, int rowEnd, int colStart, int colEnd) {
        if (rowStart < 0 || colStart < 0 || rowEnd > src.rows() || colEnd > src.cols() || rowStart >= rowEnd
                || colStart >= colEnd) {
            throw new IllegalArgumentException("crop rows " + rowStart + ":" + rowEnd + ", cols " + colStart + ":"
                    + colEnd + " is outside a " + src.rows() + "x" + src.cols() + " image");
        }
        try (Rect r = new Rect(colStart, rowStart, colEnd - colStart, rowEnd - rowStart)) {
            return new Mat(src, r);
        }
    }

    /** BGR to one-channel gray ({@code cv2.COLOR_BGR2GRAY}). */
    public static void gray(Mat src, Mat dst) {
        opencv_imgproc.cvtColor(src, dst, COLOR_BGR2GRAY);
    }

    public static Mat gray(Mat src) {
        Mat dst = new Mat();
        gray(src, dst);
        return dst;
    }

    /**
     * FaceX-Zoo's rotation: {@code warpAffine} with {@code M = [[c,-s,0],[s,c,0]]} — about the top-left
     * corner, not the centre — bilinear, constant 0 border, output {@code width x height}. The matrix
     * entries are rounded to float32 as FaceX-Zoo's {@code np.float32} matrix is.
     */
    public static void rotate(Mat src, Mat dst, double degrees, int width, int height) {
        double theta = degrees * Math.PI / 180;
        double c = (float) Math.cos(theta);
        double s = (float) Math.sin(theta);
        try (DoublePointer m = new DoublePointer(c, -s, 0, s, c, 0);
             Mat matrix = new Mat(2, 3, CV_64F, m);
             Size size = new Size(width, height);
             Scalar zero = new Scalar(0.0)) {
            opencv_imgproc.warpAffine(src, dst, matrix, size, INTER_LINEAR, BORDER_CONSTANT, zero);
        }
    }

    public static Mat rotate(Mat src, double degrees) {
        Mat dst = new Mat();
        rotate(src, dst, degrees, src.cols(), src.rows());
        return dst;
    }

    /**
     * Normalises an 8-bit image into {@code dst[offset ..]} as CHW float32:
     * {@code (x - 127.5) * 0.0078125}. A 3-channel image keeps its BGR channel order (FaceX-Zoo feeds BGR).
     * A 1-channel (gray) image fills channel 0 and, unless {@code replicateGray}, leaves channels 1-2 at
     * 0 as FaceX-Zoo's semi-siamese transform does; with {@code replicateGray} all three get the gray value.
     * Always writes {@code 3 * rows * cols} floats.
     */
    public static void toChw(Mat img, float[] dst, int offset, boolean replicateGray) {
        int rows = img.rows();
        int cols = img.cols();
        int ch = img.channels();
        int depth = img.depth();
        if (depth != opencv_core.CV_8U || (ch != 1 && ch != 3)) {
            throw new IllegalArgumentException("expected an 8-bit 1- or 3-channel image, got type " + img.type());
        }
        int plane = rows * cols;
        if (dst.length - offset < 3 * plane || offset < 0) {
            throw new IllegalArgumentException("destination holds " + (dst.length - offset) + " floats after offset "
                    + offset + ", need " + 3 * plane);
        }
        int rowBytes = cols * ch;
        byte[] row = ROW.get();
        if (row.length < rowBytes) {
            row = new byte[rowBytes];
            ROW.set(row);
        }
        for (int r = 0; r < rows; r++) {
            // Row by row: a crop view is not continuous, and one row is all the Java heap we need.
            img.ptr(r).get(row, 0, rowBytes);
            int base = offset + r * cols;
            if (ch == 3) {
                for (int x = 0, i = 0; x < cols; x++, i += 3) {
                    dst[base + x] = ((row[i] & 0xff) - MEAN) * SCALE;
                    dst[base + plane + x] = ((row[i + 1] & 0xff) - MEAN) * SCALE;
                    dst[base + 2 * plane + x] = ((row[i + 2] & 0xff) - MEAN) * SCALE;
                }
            } else {
                for (int x = 0; x < cols; x++) {
                    float v = ((row[x] & 0xff) - MEAN) * SCALE;
                    dst[base + x] = v;
                    dst[base + plane + x] = replicateGray ? v : 0f;
                    dst[base + 2 * plane + x] = replicateGray ? v : 0f;
                }
            }
        }
    }

    /** A new Mat holding a copy of HWC 8-bit pixels (1 or 3 channels). */
    public static Mat fromHwc(byte[] hwc, int rows, int cols, int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (hwc.length != rows * cols * channels) {
            throw new IllegalArgumentException("expected " + rows * cols * channels + " bytes, got " + hwc.length);
        }
        Mat m = new Mat(rows, cols, channels == 3 ? CV_8UC3 : CV_8UC1);
        m.data().put(hwc, 0, hwc.length);
        return m;
    }

    /** A copy of an 8-bit image's pixels, HWC. */
    public static byte[] toHwc(Mat img) {
        int rowBytes = img.cols() * img.channels();
        byte[] out = new byte[img.rows() * rowBytes];
        for (int r = 0; r < img.rows(); r++) {
            img.ptr(r).get(out, r * rowBytes, rowBytes);
        }
        return out;
    }
}
