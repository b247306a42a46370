package io.facex.backbone.lightcnn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.UniformInitializer;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.Branches;
import io.facex.nn.ChannelsLast;
import io.facex.nn.FaceCrops;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

/**
 * Light CNN-29 v2 (Wu et al., 2018) as FaceX-Zoo builds it ({@code backbone/LightCNN.py},
 * {@code network_29layers_v2}): max-feature-map convolutions, residual blocks 1/2/3/4, the sum of a max
 * and an average pool between stages, and FaceX-Zoo's output layer. 11,596,320 parameters at the
 * default configuration. Children carry FaceX-Zoo's module names, so parameters map one-to-one onto
 * its state-dict keys ({@code conv1.filter.weight}, {@code block2.1.conv2.filter.bias},
 * {@code group3.conv_a.filter.weight}, {@code output_layer.3.weight}).
 *
 * <p>Only depth 29 exists. FaceX-Zoo's depth 9 cannot be built: its factory passes
 * {@code (drop_ratio, out_h, out_w, feat_dim)} to {@code network_9layers(num_classes)}, which raises a
 * {@code TypeError}, and that network is a one-channel 128-pixel classifier, not a backbone. Depth 9
 * is refused here with that reason rather than invented.
 */
public final class LightCNN extends AbstractPlugin<LightCNN.Config> implements Backbone<LightCNN.Config> {

    /** The one depth FaceX-Zoo can build. */
    public static final int DEPTH = 29;

    /** Residual blocks before each of the four groups ({@code LightCNN_29Layers_v2}). */
    private static final int[] BLOCKS = {1, 2, 3, 4};

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param depth        29 (see the class comment for 9)
     * @param outH         height of the last feature map (7 for 112×112 faces)
     * @param outW         its width
     * @param featDim      embedding size
     * @param dropoutRatio the output layer's dropout
     */
    public record Config(int depth, int outH, int outW, int featDim, double dropoutRatio) {
    }

    public LightCNN() {
        super("LightCNN", "Light CNN-29 v2 (Wu et al. 2018): max-feature-map convs, 4 residual stages, 11.6M params",
                Config.class, new Config(DEPTH, 7, 7, 512, 0.2));
    }

    @Override
    public void validate(Config c) {
        if (c.depth() == 9) {
            throw new InvalidConfigException("depth", "LightCNN-9 is broken in FaceX-Zoo (its factory calls "
                    + "network_9layers with arguments it does not take, a TypeError, and that network is a "
                    + "1-channel 128-pixel classifier, not a backbone), so it is not ported; use 29");
        }
        if (c.depth() != DEPTH) {
            throw new InvalidConfigException("depth", "must be 29 (LightCNN-29 v2, the only depth FaceX-Zoo builds), got " + c.depth());
        }
        FaceCrops.validate(c.featDim(), c.outH(), c.outW());
        if (!(c.dropoutRatio() >= 0 && c.dropoutRatio() < 1)) {
            throw new InvalidConfigException("dropout_ratio", "must be in [0, 1), got " + c.dropoutRatio());
        }
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    /**
     * Four 2×2 poolings (floor): the face is 16 times the last map, 112×112 for 7×7, except that 3 rows
     * are FaceX-Zoo's 60-row upper-face crops (60 → 30 → 15 → 7 → 3).
     */
    @Override
    public Shape inputShape(Config c) {
        return new Shape(3, c.outH() == 3 ? 60 : 16L * c.outH(), 16L * c.outW());
    }

    @Override
    public Block build(Config c) {
        validate(c);
        return new Sequence()
                .add("channels_last", new ChannelsLast())
                .add("conv1", mfm(3, 48, 5, 2))
                .add("pool1", pool())
                .add("block1", blocks(BLOCKS[0], 48))
                .add("group1", group(48, 96))
                .add("pool2", pool())
                .add("block2", blocks(BLOCKS[1], 96))
                .add("group2", group(96, 192))
                .add("pool3", pool())
                .add("block3", blocks(BLOCKS[2], 192))
                .add("group3", group(192, 128))
                .add("block4", blocks(BLOCKS[3], 128))
                .add("group4", group(128, 128))
                .add("pool4", pool())
                .add("output_layer", OutputLayer.builder().batchNorm2d(true).dropout(c.dropoutRatio())
                        .features(c.featDim()).build());
    }

    /** {@code mfm(in, out, k, 1, p)}: a conv to 2·out channels with bias, the max of its two halves. */
    private static Block mfm(int in, int out, int kernel, int padding) {
        Block conv = Torch.conv(2 * out, kernel, 1, padding, 1, true);
        // PyTorch's default, U(±1/√fan_in) for weight and bias: without BatchNorm between its 27 convs,
        // LightCNN does not train from DJL's Xavier initialisation (four times that variance in the 1×1 and 3×3
        // layers): in a few SGD steps at lr 0.01 its features collapse to a constant.
        UniformInitializer init = new UniformInitializer((float) (1 / Math.sqrt((double) in * kernel * kernel)));
        conv.setInitializer(init, Parameter.Type.WEIGHT);
        conv.setInitializer(init, Parameter.Type.BIAS);
        return new MaxFeatureMap(conv);
    }

    /** {@code group(in, out, 3, 1, 1)}: 1×1 mfm in→in, then 3×3 mfm in→out. */
    private static Block group(int in, int out) {
        return new Sequence().add("conv_a", mfm(in, in, 1, 0)).add("conv", mfm(in, out, 3, 1));
    }

    /** {@code resblock(c, c)} n times: two 3×3 mfm, plus the input. */
    private static Block blocks(int n, int channels) {
        Sequence s = new Sequence();
        for (int i = 0; i < n; i++) {
            s.add(Integer.toString(i), new Sequence(true).add("conv1", mfm(channels, channels, 3, 1)).add("conv2", mfm(channels, channels, 3, 1)));
        }
        return s;
    }

    /** {@code F.max_pool2d(x, 2) + F.avg_pool2d(x, 2)}. */
    private static Block pool() {
        return new Branches().add("max", Torch.maxPool(2, 2, 0)).add("avg", Torch.avgPool(2, 2, 0));
    }
}
