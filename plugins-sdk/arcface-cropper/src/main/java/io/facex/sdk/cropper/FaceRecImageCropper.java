package io.facex.sdk.cropper;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

import io.facex.api.AbstractPlugin;
import io.facex.api.Cropper;
import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.data.ImageOps;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * FaceX-Zoo's SDK cropper ({@code core/image_cropper/arcface_cropper/FaceRecImageCropper.py}): five
 * landmarks (picked from 106 or 25 when given those) are mapped onto the ArcFace template by the
 * least-squares similarity transform, and the face is warped to 112×112 with OpenCV's {@code warpAffine}
 * (bilinear, black outside the photo). Named after FaceX-Zoo's class, as every plugin carries its
 * original's name; there is no other cropper in the SDK it could be confused with.
 */
public final class FaceRecImageCropper extends AbstractPlugin<FaceRecImageCropper.Config>
        implements Cropper<FaceRecImageCropper.Config> {

    /**
     * @param imageSize the side of the square output; FaceX-Zoo's ArcFace template exists only for 112
     *                  (its {@code estimate_norm} asserts it), so 112 is the one accepted value, stated so
     *                  the output size is visible in the configuration
     */
    public record Config(int imageSize) {
    }

    /** The only output size the ArcFace template is defined for. */
    public static final int SIZE = 112;

    /**
     * FaceX-Zoo's {@code arcface_src}: left eye, right eye, nose tip, left and right mouth corner, x then
     * y. Its array is float32, so the values are the float32 roundings of the printed decimals.
     */
    private static final double[] TEMPLATE = {
        38.2946f, 51.6963f, 73.5318f, 51.5014f, 56.0252f, 71.7366f, 41.5493f, 92.3655f, 70.7299f, 92.2041f,
    };

    /** Zero-based indices of the five points in the 106-point layout (FaceX-Zoo's 1-based 105, 106, 55, 85, 91). */
    private static final int[] FROM_106 = {104, 105, 54, 84, 90};
    /** Zero-based indices in the 25-point layout (1-based 1, 2, 8, 11, 12). */
    private static final int[] FROM_25 = {0, 1, 7, 10, 11};

    public FaceRecImageCropper() {
        super("FaceRecImageCropper", "aligns a face to 112x112: 5 landmarks (of 5, 25 or 106) onto the ArcFace template",
                Config.class, new Config(SIZE));
    }

    @Override
    public void validate(Config c) {
        if (c.imageSize() != SIZE) {
            throw new InvalidConfigException("image_size", "the ArcFace template is defined for 112x112 only, got "
                    + c.imageSize());
        }
    }

    @Override
    public FaceImage crop(FaceImage image, float[] landmarks, Config config) {
        validate(config);
        return warp(image, alignmentMatrix(landmarks));
    }

    /** {@code cv2.warpAffine(img, M, (112, 112), borderValue=0)}: bilinear, black outside the photo. */
    static FaceImage warp(FaceImage image, double[] m) {
        try (Mat src = ImageOps.fromHwc(image.pixels(), image.height(), image.width(), image.channels());
             Mat dst = new Mat();
             DoublePointer values = new DoublePointer(m);
             Mat matrix = new Mat(2, 3, CV_64F, values);
             Size size = new Size(SIZE, SIZE);
             Scalar black = new Scalar(0.0)) {
            opencv_imgproc.warpAffine(src, dst, matrix, size, INTER_LINEAR, BORDER_CONSTANT, black);
            return new FaceImage(SIZE, SIZE, image.channels(), ImageOps.toHwc(dst));
        }
    }

    /**
     * FaceX-Zoo's {@code estimate_norm}: the 2×3 matrix, row-major {@code [a, -b, tx, b, a, ty]}, taking
     * the landmarks' five points onto the 112×112 ArcFace template.
     *
     * @param landmarks x0, y0, x1, y1, ... of 5, 25 or 106 points (the five are picked as FaceX-Zoo does)
     * @throws IllegalArgumentException for another count, non-finite values, or five coinciding points
     */
    public static double[] alignmentMatrix(float[] landmarks) {
        return similarity(fivePoints(landmarks), TEMPLATE);
    }

    /** The five points FaceX-Zoo aligns with, x0, y0, ..., x4, y4, from 5, 25 or 106 points. */
    public static double[] fivePoints(float[] landmarks) {
        if (landmarks == null) {
            throw new IllegalArgumentException("no landmarks given");
        }
        int[] pick = switch (landmarks.length) {
            case 10 -> new int[] {0, 1, 2, 3, 4};
            case 50 -> FROM_25;
            case 212 -> FROM_106;
            default -> throw new IllegalArgumentException("expected 10, 50 or 212 landmark values (5, 25 or 106 x,y "
                    + "points), got " + landmarks.length);
        };
        double[] out = new double[10];
        for (int i = 0; i < 5; i++) {
            out[2 * i] = landmarks[2 * pick[i]];
            out[2 * i + 1] = landmarks[2 * pick[i] + 1];
            if (!Double.isFinite(out[2 * i]) || !Double.isFinite(out[2 * i + 1])) {
                throw new IllegalArgumentException("landmark " + pick[i] + " is not finite: (" + out[2 * i] + ", "
                        + out[2 * i + 1] + ")");
            }
        }
        return out;
    }

    /**
     * The least-squares similarity (rotation, uniform scale, translation; never a reflection) taking the
     * points {@code p} onto {@code q}, both x0, y0, x1, y1, .... This closed form is what skimage's
     * {@code SimilarityTransform.estimate} (Umeyama's SVD solution) reduces to in two dimensions: with p
     * and q centred, a = Σ p·q, b = Σ (p_x q_y − p_y q_x), n = Σ |p|², the rotation-and-scale is
     * [[a, −b], [b, a]] / n and the translation maps p's centroid onto q's.
     */
    static double[] similarity(double[] p, double[] q) {
        int k = p.length / 2;
        double px = 0, py = 0, qx = 0, qy = 0;
        for (int i = 0; i < k; i++) {
            px += p[2 * i];
            py += p[2 * i + 1];
            qx += q[2 * i];
            qy += q[2 * i + 1];
        }
        px /= k;
        py /= k;
        qx /= k;
        qy /= k;
        double a = 0, b = 0, n = 0;
        for (int i = 0; i < k; i++) {
            double ux = p[2 * i] - px, uy = p[2 * i + 1] - py;
            double vx = q[2 * i] - qx, vy = q[2 * i + 1] - qy;
            a += ux * vx + uy * vy;
            b += ux * vy - uy * vx;
            n += ux * ux + uy * uy;
        }
        if (!(n > 0)) {
            // skimage returns a matrix of NaN here, which warpAffine turns into a black image without a word.
            throw new IllegalArgumentException("the five alignment landmarks coincide at (" + px + ", " + py
                    + "): no similarity transform exists");
        }
        double c = a / n, s = b / n;
        double[] m = {c, -s, qx - (c * px - s * py), s, c, qy - (s * px + c * py)};
        for (double v : m) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("the alignment landmarks give a non-finite transform "
                        + java.util.Arrays.toString(m));
            }
        }
        return m;
    }
}
