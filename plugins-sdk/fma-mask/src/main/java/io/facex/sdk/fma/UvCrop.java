package io.facex.sdk.fma;

import io.facex.api.FaceImage;
import io.facex.data.ImageOps;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

/**
 * PRNet's input and the way back (spec §7 steps 2 and 4): the square around the 68 points, 1.6 times
 * their box's mean side, scaled to 256×256 by the similarity T (x' = s·x + tx, y' = s·y + ty); the
 * position map's x, y return through T⁻¹ and its z is divided by s.
 */
record UvCrop(double scale, double tx, double ty) {

    /** The position map's sigmoid is scaled to 1.1 × the resolution (PRNet's MaxPos). */
    static final double MAX_POS = Prnet.SIZE * 1.1;

    /** FMA-3D's box: size = int(mean side × 1.6) around the box's centre, corners to (0, 0) and (255, 255). */
    static UvCrop around(double[] shape) {
        double l = Double.MAX_VALUE, t = Double.MAX_VALUE, r = -Double.MAX_VALUE, b = -Double.MAX_VALUE;
        for (int i = 0; i < shape.length; i += 2) {
            l = Math.min(l, shape[i]);
            r = Math.max(r, shape[i]);
            t = Math.min(t, shape[i + 1]);
            b = Math.max(b, shape[i + 1]);
        }
        int size = (int) (((r - l) + (b - t)) / 2 * 1.6);
        if (size < 1) {
            throw new IllegalArgumentException("the landmarks span no area: no face to crop");
        }
        double cx = r - (r - l) / 2, cy = b - (b - t) / 2;
        double s = (Prnet.SIZE - 1) / (double) size;
        return new UvCrop(s, -s * (cx - size / 2.0), -s * (cy - size / 2.0));
    }

    /** The network's input: the crop, bilinear, black outside the photo, RGB in [0, 1], 3×256×256. */
    float[] input(FaceImage image) {
        int n = Prnet.SIZE, plane = n * n;
        float[] chw = new float[3 * plane];
        try (Mat photo = ImageOps.fromHwc(image.pixels(), image.height(), image.width(), image.channels());
             Mat real = new Mat(); Mat crop = new Mat(); Mat t = affine(); Size size = new Size(n, n);
             Scalar zero = new Scalar(0.0)) {
            photo.convertTo(real, CV_32F, 1 / 255.0, 0);
            opencv_imgproc.warpAffine(real, crop, t, size, INTER_LINEAR, BORDER_CONSTANT, zero);
            int ch = image.channels();
            float[] hwc = new float[plane * ch];
            try (FloatPointer data = new FloatPointer(crop.data())) {
                data.get(hwc);
            }
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    // BGR → RGB: PRNet was trained on RGB photos; a gray one feeds the same plane thrice
                    chw[c * plane + p] = hwc[p * ch + (ch == 1 ? 0 : 2 - c)];
                }
            }
        }
        return chw;
    }

    /** The UV position map in photo coordinates, HWC (x, y, z) per UV pixel, from the network's 3×256×256 output. */
    float[] positions(float[] sigmoid) {
        int plane = Prnet.SIZE * Prnet.SIZE;
        if (sigmoid.length != 3 * plane) {
            throw new IllegalArgumentException("expected a 3x256x256 position map, got " + sigmoid.length + " values");
        }
        float[] pos = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            pos[3 * p] = (float) ((sigmoid[p] * MAX_POS - tx) / scale);
            pos[3 * p + 1] = (float) ((sigmoid[plane + p] * MAX_POS - ty) / scale);
            pos[3 * p + 2] = (float) (sigmoid[2 * plane + p] * MAX_POS / scale);
        }
        return pos;
    }

    private Mat affine() {
        Mat t = new Mat(2, 3, CV_64F);
        t.data().put(doubles(new double[] {scale, 0, tx, 0, scale, ty}));
        return t;
    }

    private static byte[] doubles(double[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.nativeOrder());
        for (double d : v) {
            b.putDouble(d);
        }
        return b.array();
    }
}
