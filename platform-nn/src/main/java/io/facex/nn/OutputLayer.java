package io.facex.nn;

import ai.djl.nn.Blocks;

/**
 * The output layer FaceX-Zoo's backbones end with, in the variants they use:
 * {@code [BatchNorm2d] [Dropout] Flatten Linear BatchNorm1d}. Children are numbered as in the
 * original's {@code nn.Sequential}, counting every module present, so {@code output_layer.3.weight} of
 * a checkpoint lands on the Linear when all five are there and {@code output_layer.1.weight} when only
 * Flatten comes before it.
 *
 * <pre>{@code
 * OutputLayer.builder().batchNorm2d(true).dropout(0.4).features(512).build()   // IR ResNet's
 * OutputLayer.builder().features(512).linearBias(false).build()                // HRNet's, AttentionNet's
 * }</pre>
 */
public final class OutputLayer {

    private boolean batchNorm2d;
    private double dropout = -1;
    private boolean linearBias = true;
    private int features = -1;

    private OutputLayer() {
    }

    public static OutputLayer builder() {
        return new OutputLayer();
    }

    /** Whether a BatchNorm2d over the last feature map comes first (most backbones; not HRNet, TF-NAS). */
    public OutputLayer batchNorm2d(boolean present) {
        this.batchNorm2d = present;
        return this;
    }

    /** A Dropout of this ratio before flattening; absent unless set (a ratio of 0 is still a module). */
    public OutputLayer dropout(double ratio) {
        if (ratio < 0 || ratio >= 1) {
            throw new IllegalArgumentException("dropout ratio must be in [0, 1), got " + ratio);
        }
        this.dropout = ratio;
        return this;
    }

    /** Whether the Linear has a bias (default true; FaceX-Zoo's HRNet and AttentionNet have none). */
    public OutputLayer linearBias(boolean bias) {
        this.linearBias = bias;
        return this;
    }

    /** The embedding size. */
    public OutputLayer features(int featDim) {
        if (featDim <= 0) {
            throw new IllegalArgumentException("feature size must be positive, got " + featDim);
        }
        this.features = featDim;
        return this;
    }

    public Sequence build() {
        if (features < 0) {
            throw new IllegalStateException("the output layer's feature size is not set");
        }
        Sequence s = new Sequence();
        int i = 0;
        if (batchNorm2d) {
            s.add(Integer.toString(i++), Torch.batchNorm());
        }
        if (dropout >= 0) {
            s.add(Integer.toString(i++), Torch.dropout(dropout));
        }
        s.add(Integer.toString(i++), Blocks.batchFlattenBlock());
        s.add(Integer.toString(i++), Torch.linear(features, linearBias));
        s.add(Integer.toString(i), Torch.batchNorm());
        return s;
    }
}
