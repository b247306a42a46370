package io.facex.sdk.fma;

import io.facex.api.FaceImage;
import io.facex.api.sdk.MaskNotFittedException;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

/**
 * The piecewise-affine warp of a template onto a photo: every pixel inside a mesh triangle in the image
 * gets the UV position of the same barycentric point of the triangle in UV space (a dense map), OpenCV's
 * {@code remap} samples the template there (bilinear), the alpha is feathered with a Gaussian, and the
 * photo becomes img·(1−α) + rgb·α. Only the mesh's bounding box is touched.
 */
final class MeshWarp {

    /** UV position of pixels outside the mesh: far enough off the template for bilinear sampling to give 0. */
    private static final float OUTSIDE = -10;

    private MeshWarp() {
    }

    /**
     * @param image     the photo, BGR or gray
     * @param meshImage the mesh's vertices in the photo
     * @param gains     per-channel colour factors (B, G, R) for the template
     * @param sigma     the alpha's Gaussian feather, in photo pixels (0: none)
     */
    static FaceImage[] blend(FaceImage image, double[] meshImage, MaskTemplates.Template template, double[] gains,
                             double sigma) {
        int w = image.width(), h = image.height();
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (int i = 0; i < meshImage.length; i += 2) {
            minX = Math.min(minX, meshImage[i]);
            maxX = Math.max(maxX, meshImage[i]);
            minY = Math.min(minY, meshImage[i + 1]);
            maxY = Math.max(maxY, meshImage[i + 1]);
        }
        int pad = (int) Math.ceil(3 * sigma) + 1;
        int x0 = Math.max(0, (int) Math.floor(minX) - pad), y0 = Math.max(0, (int) Math.floor(minY) - pad);
        int x1 = Math.min(w, (int) Math.ceil(maxX) + pad + 1), y1 = Math.min(h, (int) Math.ceil(maxY) + pad + 1);
        if (x1 <= x0 || y1 <= y0) {
            throw new MaskNotFittedException("the mask falls outside the " + w + "x" + h + " image");
        }
        int bw = x1 - x0, bh = y1 - y0;
        float[][] map = uvMap(meshImage, x0, y0, bw, bh);
        float[] alpha = new float[bw * bh];
        byte[] bgra = new byte[bw * bh * 4];
        try (Mat tpl = MaskTemplates.mat(template);
             FloatPointer px = new FloatPointer(map[0]); FloatPointer py = new FloatPointer(map[1]);
             Mat mapX = new Mat(bh, bw, CV_32FC1, px); Mat mapY = new Mat(bh, bw, CV_32FC1, py);
             Mat warped = new Mat(); Scalar zero = new Scalar(0.0)) {
            opencv_imgproc.remap(tpl, warped, mapX, mapY, INTER_LINEAR, BORDER_CONSTANT, zero);
            for (int r = 0; r < bh; r++) {
                warped.ptr(r).get(bgra, r * bw * 4, bw * 4);
            }
        }
        for (int i = 0; i < alpha.length; i++) {
            alpha[i] = (bgra[4 * i + 3] & 0xff) / 255f;
        }
        if (sigma > 0) {
            feather(alpha, bw, bh, sigma);
        }
        return compose(image, x0, y0, bw, bh, bgra, alpha, gains);
    }

    /** The dense UV map of the box (x0, y0, bw, bh): one affine per triangle, {@link #OUTSIDE} off the mesh. */
    static float[][] uvMap(double[] mesh, int x0, int y0, int bw, int bh) {
        float[] mx = new float[bw * bh], my = new float[bw * bh];
        java.util.Arrays.fill(mx, OUTSIDE);
        java.util.Arrays.fill(my, OUTSIDE);
        int[] t = Mesh.TRIANGLES;
        double[] uv = Mesh.UV;
        for (int k = 0; k < t.length; k += 3) {
            int a = t[k], b = t[k + 1], c = t[k + 2];
            double ax = mesh[2 * a], ay = mesh[2 * a + 1], bx = mesh[2 * b], by = mesh[2 * b + 1];
            double cx = mesh[2 * c], cy = mesh[2 * c + 1];
            double d = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
            if (Math.abs(d) < 1e-9) {
                continue; // a degenerate triangle covers no pixel
            }
            int left = Math.max(x0, (int) Math.floor(Math.min(ax, Math.min(bx, cx))));
            int right = Math.min(x0 + bw - 1, (int) Math.ceil(Math.max(ax, Math.max(bx, cx))));
            int top = Math.max(y0, (int) Math.floor(Math.min(ay, Math.min(by, cy))));
            int bottom = Math.min(y0 + bh - 1, (int) Math.ceil(Math.max(ay, Math.max(by, cy))));
            for (int y = top; y <= bottom; y++) {
                for (int x = left; x <= right; x++) {
                    double l0 = ((by - cy) * (x - cx) + (cx - bx) * (y - cy)) / d;
                    double l1 = ((cy - ay) * (x - cx) + (ax - cx) * (y - cy)) / d;
                    double l2 = 1 - l0 - l1;
                    // a hair of tolerance so that pixels on a shared edge belong to one of the two triangles
                    if (l0 < -1e-7 || l1 < -1e-7 || l2 < -1e-7) {
                        continue;
                    }
                    int i = (y - y0) * bw + (x - x0);
                    mx[i] = (float) (l0 * uv[2 * a] + l1 * uv[2 * b] + l2 * uv[2 * c]);
                    my[i] = (float) (l0 * uv[2 * a + 1] + l1 * uv[2 * b + 1] + l2 * uv[2 * c + 1]);
                }
            }
        }
        return new float[][] {mx, my};
    }

    /** Softens the mask's edge: a Gaussian blur of the alpha (OpenCV, reflected at the box's border). */
    private static void feather(float[] alpha, int bw, int bh, double sigma) {
        try (FloatPointer p = new FloatPointer(alpha); Mat a = new Mat(bh, bw, CV_32FC1, p); Mat out = new Mat();
             Size auto = new Size(0, 0)) {
            opencv_imgproc.GaussianBlur(a, out, auto, sigma);
            try (FloatPointer q = new FloatPointer(out.data())) {
                q.get(alpha);
            }
        }
    }

    private static FaceImage[] compose(FaceImage image, int x0, int y0, int bw, int bh, byte[] bgra, float[] alpha,
                                       double[] gains) {
        int w = image.width(), ch = image.channels();
        byte[] out = image.pixels().clone();
        byte[] mask = new byte[w * image.height()];
        for (int r = 0; r < bh; r++) {
            for (int c = 0; c < bw; c++) {
                int i = r * bw + c;
                float a = Math.min(1, Math.max(0, alpha[i]));
                if (a == 0) {
                    continue;
                }
                int o = (y0 + r) * w + (x0 + c);
                mask[o] = (byte) Math.round(a * 255);
                double b = clamp((bgra[4 * i] & 0xff) * gains[0]);
                double g = clamp((bgra[4 * i + 1] & 0xff) * gains[1]);
                double red = clamp((bgra[4 * i + 2] & 0xff) * gains[2]);
                if (ch == 1) {
                    out[o] = mix(out[o], 0.114 * b + 0.587 * g + 0.299 * red, a);
                } else {
                    out[3 * o] = mix(out[3 * o], b, a);
                    out[3 * o + 1] = mix(out[3 * o + 1], g, a);
                    out[3 * o + 2] = mix(out[3 * o + 2], red, a);
                }
            }
        }
        return new FaceImage[] {new FaceImage(w, image.height(), ch, out), new FaceImage(w, image.height(), 1, mask)};
    }

    private static byte mix(byte pixel, double mask, float a) {
        return (byte) Math.round((pixel & 0xff) * (1 - a) + mask * a);
    }

    private static double clamp(double v) {
        return Math.min(255, Math.max(0, v));
    }
}
