package io.facex.sdk.retinaface;

import io.facex.api.sdk.DetectedFace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * FaceX-Zoo's {@code FaceDetModelHandler._postprocess} in float32, as its torch/numpy code computes it:
 * priors per level, boxes decoded with the variances and scaled to the input, score = class-1
 * probability, keep score > threshold, sort descending, greedy NMS (suppress IoU > nms_threshold, areas
 * (x2−x1+1)(y2−y1+1)), no top-K. Landmarks, which the original decodes nowhere, are decoded the standard
 * RetinaFace way ({@code decode_landm}: prior centre + offset · variance[0] · prior size, per point) and
 * follow their box through every step.
 */
final class Decoder {

    private Decoder() {
    }

    /** The network's raw output for one image. */
    record Raw(float[] loc, float[] conf, float[] landmarks) {

        int priors() {
            return conf.length / 2;
        }
    }

    /**
     * {@code PriorBox.forward}: for each level (step s, sizes m), rows i &lt; ⌈H/s⌉, columns j &lt; ⌈W/s⌉,
     * each m: (cx, cy, w, h) = ((j+.5)s/W, (i+.5)s/H, m/W, m/H), computed in double and stored as float32
     * as {@code torch.Tensor(anchors)} does.
     */
    static float[] priors(int width, int height, List<Integer> steps, List<List<Integer>> minSizes) {
        int n = 0;
        for (int k = 0; k < steps.size(); k++) {
            n += (int) (RetinaFaceNet.ceilDiv(height, steps.get(k)) * RetinaFaceNet.ceilDiv(width, steps.get(k))
                    * minSizes.get(k).size());
        }
        float[] p = new float[4 * n];
        int at = 0;
        for (int k = 0; k < steps.size(); k++) {
            int s = steps.get(k);
            long rows = RetinaFaceNet.ceilDiv(height, s);
            long cols = RetinaFaceNet.ceilDiv(width, s);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    for (int m : minSizes.get(k)) {
                        p[at++] = (float) ((j + 0.5) * s / width);
                        p[at++] = (float) ((i + 0.5) * s / height);
                        p[at++] = (float) ((double) m / width);
                        p[at++] = (float) ((double) m / height);
                    }
                }
            }
        }
        return p;
    }

    /** Indices of the priors whose face score exceeds {@code threshold}, best first. */
    static int[] candidates(Raw raw, float threshold) {
        return IntStream.range(0, raw.priors())
                .filter(i -> raw.conf[2 * i + 1] > threshold)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> raw.conf[2 * i + 1]).reversed())
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /**
     * Decoded, thresholded, NMS-filtered faces in the network input's pixels, then multiplied by
     * (scaleX, scaleY) into the image's.
     */
    static List<DetectedFace> detect(Raw raw, float[] priors, int width, int height, float[] variance,
            float threshold, float nmsThreshold, double scaleX, double scaleY) {
        if (priors.length != 4 * raw.priors()) {
            throw new IllegalStateException("the network gave " + raw.priors() + " predictions but the configuration's"
                    + " steps and min_sizes make " + priors.length / 4 + " priors for a " + width + "x" + height + " input");
        }
        int[] order = candidates(raw, threshold);
        float[][] boxes = new float[order.length][];
        for (int r = 0; r < order.length; r++) {
            boxes[r] = box(raw, priors, order[r], width, height, variance);
        }
        List<DetectedFace> faces = new ArrayList<>();
        for (int r : nms(boxes, nmsThreshold)) {
            int i = order[r];
            float[] b = boxes[r];
            float[] lm = landmarks(raw, priors, i, width, height, variance[0]);
            for (int t = 0; t < lm.length; t++) {
                lm[t] = (float) (lm[t] * (t % 2 == 0 ? scaleX : scaleY));
            }
            faces.add(new DetectedFace((float) (b[0] * scaleX), (float) (b[1] * scaleY), (float) (b[2] * scaleX),
                    (float) (b[3] * scaleY), raw.conf[2 * i + 1], lm));
        }
        return faces;
    }

    /** {@code decode}: centre moved by loc·v0·prior size, size scaled by exp(loc·v1); corners; times [W, H, W, H]. */
    private static float[] box(Raw raw, float[] priors, int i, int width, int height, float[] v) {
        float pcx = priors[4 * i];
        float pcy = priors[4 * i + 1];
        float pw = priors[4 * i + 2];
        float ph = priors[4 * i + 3];
        float cx = pcx + raw.loc[4 * i] * v[0] * pw;
        float cy = pcy + raw.loc[4 * i + 1] * v[0] * ph;
        float w = pw * (float) Math.exp(raw.loc[4 * i + 2] * v[1]);
        float h = ph * (float) Math.exp(raw.loc[4 * i + 3] * v[1]);
        float x1 = cx - w / 2;
        float y1 = cy - h / 2;
        return new float[] {x1 * width, y1 * height, (w + x1) * width, (h + y1) * height};
    }

    /** {@code decode_landm}: five (x, y) points, each prior centre + offset · v0 · prior size, times [W, H]. */
    private static float[] landmarks(Raw raw, float[] priors, int i, int width, int height, float v0) {
        float[] lm = new float[10];
        for (int p = 0; p < 5; p++) {
            float x = priors[4 * i] + raw.landmarks[10 * i + 2 * p] * v0 * priors[4 * i + 2];
            float y = priors[4 * i + 1] + raw.landmarks[10 * i + 2 * p + 1] * v0 * priors[4 * i + 3];
            lm[2 * p] = x * width;
            lm[2 * p + 1] = y * height;
        }
        return lm;
    }

    /**
     * {@code py_cpu_nms} over boxes already sorted best first: keep the best, drop every box whose
     * overlap with it exceeds {@code threshold}, repeat. Returns the kept positions, best first.
     */
    static int[] nms(float[][] boxes, float threshold) {
        int n = boxes.length;
        float[] area = new float[n];
        for (int i = 0; i < n; i++) {
            area[i] = (boxes[i][2] - boxes[i][0] + 1) * (boxes[i][3] - boxes[i][1] + 1);
        }
        boolean[] gone = new boolean[n];
        int[] keep = new int[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (gone[i]) {
                continue;
            }
            keep[kept++] = i;
            float[] a = boxes[i];
            for (int j = i + 1; j < n; j++) {
                if (gone[j]) {
                    continue;
                }
                float[] b = boxes[j];
                float w = Math.max(0f, Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1);
                float h = Math.max(0f, Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1);
                float inter = w * h;
                float overlap = inter / (area[i] + area[j] - inter);
                // The original keeps ovr <= thresh, so a NaN overlap (degenerate boxes) suppresses too.
                if (!(overlap <= threshold)) {
                    gone[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }
}
