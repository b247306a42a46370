package io.facex.sdk.fma;

import io.facex.api.FaceImage;
import io.facex.api.sdk.MaskNotFittedException;
import io.facex.data.ImageOps;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;

/**
 * FMA-3D's UV path from a position map on (spec §7 steps 5–9): the photo's texture is sampled at every
 * UV pixel's 3-D point, the template is blended into it in UV space, and the face mesh is rendered back
 * with a z-buffer, so the parts of the mask behind the nose or a turned cheek stay hidden.
 *
 * <p>Two compositions. FMA-3D's ({@code whole_face}) pastes the whole re-rendered face over the photo:
 * its skin comes back through flat triangles and nearest-neighbour samples. The default renders the
 * mask's opacity and premultiplied colour through the same z-buffer and blends only those, so the skin
 * keeps its own pixels; where the mask is opaque both give the template's colour.
 */
final class UvPath {

    /** Per vertex: new texture (B, G, R), the mask's opacity, the mask's colour times its opacity. */
    private static final int K = 7;

    private UvPath() {
    }

    /**
     * @param pos       the position map in photo coordinates, (x, y, z) per UV pixel, row-major
     * @param gains     the template's colour factors (B, G, R)
     * @param wholeFace FMA-3D's composition (the whole face re-rendered) instead of the mask's alone
     * @return the masked photo and the mask's rendered opacity
     */
    static FaceImage[] apply(FaceImage image, float[] pos, MaskTemplates.Template template, double[] gains,
                             boolean wholeFace) {
        int n = UvFace.SIZE;
        if (pos.length != 3 * n * n) {
            throw new IllegalArgumentException("expected a 256x256x3 position map, got " + pos.length + " values");
        }
        byte[] texture = texture(image, pos);
        byte[] tpl = template.bgra();
        int[] ind = UvFace.FACE_IND;
        float[] xyz = new float[3 * ind.length];
        float[] attributes = new float[K * ind.length];
        for (int v = 0; v < ind.length; v++) {
            int p = ind[v];
            System.arraycopy(pos, 3 * p, xyz, 3 * v, 3);
            float m = (tpl[4 * p + 3] & 0xff) / 255f; // only face pixels are vertices: FMA-3D zeroes the rest
            for (int c = 0; c < 3; c++) {
                float ref = (float) Math.min(1, (tpl[4 * p + c] & 0xff) / 255.0 * gains[c]);
                float tex = (texture[3 * p + c] & 0xff) / 255f;
                attributes[K * v + c] = tex * (1 - m) + ref * m;
                attributes[K * v + 4 + c] = ref * m;
            }
            attributes[K * v + 3] = m;
        }
        ZBuffer.Frame f = ZBuffer.render(xyz, UvFace.TRIANGLES, attributes, K, image.width(), image.height());
        if (f.w() == 0 || f.h() == 0) {
            throw new MaskNotFittedException("the face's position map falls outside the " + image.width() + "x"
                    + image.height() + " image");
        }
        return compose(image, f, wholeFace);
    }

    /** cv2.remap of the photo at the position map's (x, y): nearest neighbour, black off the photo; BGR. */
    private static byte[] texture(FaceImage image, float[] pos) {
        int n = UvFace.SIZE, plane = n * n;
        float[] mx = new float[plane], my = new float[plane];
        for (int p = 0; p < plane; p++) {
            mx[p] = pos[3 * p];
            my[p] = pos[3 * p + 1];
        }
        byte[] out = new byte[3 * plane];
        try (Mat photo = ImageOps.fromHwc(image.pixels(), image.height(), image.width(), image.channels());
             Mat bgr = new Mat(); FloatPointer px = new FloatPointer(mx); FloatPointer py = new FloatPointer(my);
             Mat mapX = new Mat(n, n, CV_32FC1, px); Mat mapY = new Mat(n, n, CV_32FC1, py); Mat sampled = new Mat();
             Scalar zero = new Scalar(0.0)) {
            if (image.channels() == 1) {
                opencv_imgproc.cvtColor(photo, bgr, opencv_imgproc.COLOR_GRAY2BGR);
            } else {
                photo.copyTo(bgr);
            }
            opencv_imgproc.remap(bgr, sampled, mapX, mapY, INTER_NEAREST, BORDER_CONSTANT, zero);
            sampled.data().get(out);
        }
        return out;
    }

    private static FaceImage[] compose(FaceImage image, ZBuffer.Frame f, boolean wholeFace) {
        int w = image.width(), ch = image.channels();
        byte[] out = image.pixels().clone();
        byte[] mask = new byte[w * image.height()];
        float[] v = f.values();
        for (int r = 0; r < f.h(); r++) {
            for (int c = 0; c < f.w(); c++) {
                int i = r * f.w() + c;
                if (!f.covered()[i]) {
                    continue;
                }
                int o = (f.y0() + r) * w + (f.x0() + c);
                float a = v[K * i + 3];
                mask[o] = (byte) Math.round(a * 255);
                for (int k = 0; k < ch; k++) {
                    double photo = (out[ch * o + k] & 0xff) / 255.0;
                    double colour = ch == 1 ? gray(v, K * i + (wholeFace ? 0 : 4)) : v[K * i + (wholeFace ? 0 : 4) + k];
                    double value = wholeFace ? colour : photo * (1 - a) + colour;
                    out[ch * o + k] = (byte) Math.round(255 * Math.min(1, Math.max(0, value)));
                }
            }
        }
        return new FaceImage[] {new FaceImage(w, image.height(), ch, out), new FaceImage(w, image.height(), 1, mask)};
    }

    private static double gray(float[] v, int at) {
        return 0.114 * v[at] + 0.587 * v[at + 1] + 0.299 * v[at + 2];
    }
}
