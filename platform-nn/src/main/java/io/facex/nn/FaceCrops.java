package io.facex.nn;

import ai.djl.ndarray.types.Shape;
import io.facex.api.InvalidConfigException;

/**
 * The face geometry FaceX-Zoo's backbones share: every configuration has {@code feat_dim}, {@code out_h}
 * and {@code out_w}, the last feature map is {@code out_h × out_w}, and most networks halve the face four
 * times, so 112-pixel crops end on 7×7 and the 60-row upper-face crops on 4×7.
 */
public final class FaceCrops {

    private FaceCrops() {
    }

    /** {@code feat_dim} positive, {@code out_h} and {@code out_w} in 1..7 (7 for 112-pixel faces). */
    public static void validate(int featDim, int outH, int outW) {
        if (featDim <= 0) {
            throw new InvalidConfigException("feat_dim", "must be positive, got " + featDim);
        }
        if (outH <= 0 || outH > 7) {
            throw new InvalidConfigException("out_h", "must be 1..7 (7 for 112-pixel faces), got " + outH);
        }
        if (outW <= 0 || outW > 7) {
            throw new InvalidConfigException("out_w", "must be 1..7 (7 for 112-pixel faces), got " + outW);
        }
    }

    /** (3, 16·out_h, 16·out_w), with the 60-row upper face for out_h 4: the input of a net with four halvings. */
    public static Shape inputShape(int outH, int outW) {
        return new Shape(3, outH == 4 ? 60 : 16L * outH, 16L * outW);
    }
}
