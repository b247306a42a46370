package io.facex.backbone.attentionnet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code nn.UpsamplingBilinear2d}: bilinear resizing with {@code align_corners=True}, output pixel
 * {@code d} sampling the input at {@code d·(in−1)/(out−1)}. DJL's own interpolation always passes
 * {@code align_corners=False}, so the resize is done as the separable linear map it is: one small
 * (in × out) weight matrix per axis, applied with two libtorch matmuls (differentiable, no Java loops
 * over the tensor).
 *
 * <p>The matrices depend only on the sizes, so they are made once per (in, out, device) on the
 * manager the block was initialised with and reused by every forward pass.
 */
final class AlignedBilinear {

    private record Key(long in, long out, Device device) {
    }

    private final Map<Key, NDArray> weights = new ConcurrentHashMap<>();
    private volatile NDManager manager;

    /** Where the matrices live from now on (the block's own manager). */
    void useManager(NDManager m) {
        manager = m;
        weights.clear();
    }

    /** x (N, C, H, W) resized to (N, C, outH, outW); the result belongs to x's manager. */
    NDArray resize(NDArray x, long outH, long outW) {
        Shape s = x.getShape();
        NDArray alongW = x.matMul(matrix(s.get(3), outW, x));
        NDArray flipped = alongW.transpose(0, 1, 3, 2);
        NDArray alongH = flipped.matMul(matrix(s.get(2), outH, x));
        NDArray y = alongH.transpose(0, 1, 3, 2);
        alongW.close();
        flipped.close();
        alongH.close();
        return y;
    }

    /** W[i][o]: the weight of input index i in output index o. */
    private NDArray matrix(long in, long out, NDArray like) {
        NDManager m = manager;
        if (m == null) {
            return like.getManager().create(weights(in, out), new Shape(in, out));
        }
        return weights.computeIfAbsent(new Key(in, out, like.getDevice()), k -> {
            NDArray w = m.create(weights(in, out), new Shape(in, out));
            if (!w.getDevice().equals(k.device())) {
                NDArray moved = w.toDevice(k.device(), false);
                w.close();
                w = moved;
            }
            return w;
        });
    }

    static float[] weights(long in, long out) {
        float[] w = new float[Math.toIntExact(in * out)];
        double scale = out > 1 ? (double) (in - 1) / (out - 1) : 0;
        for (int o = 0; o < out; o++) {
            double src = scale * o;
            int i0 = (int) src;
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            double l1 = src - i0;
            w[(int) (i0 * out + o)] += (float) (1 - l1);
            w[(int) (i1 * out + o)] += (float) l1;
        }
        return w;
    }
}
