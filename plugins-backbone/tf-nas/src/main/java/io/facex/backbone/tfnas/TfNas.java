package io.facex.backbone.tfnas;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.ChannelsLast;
import io.facex.nn.FaceCrops;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.SqueezeExcite;
import io.facex.nn.Torch;

/**
 * TF-NAS-A (Hu et al., 2020) as FaceX-Zoo builds it ({@code backbone/TF_NAS.py}, class {@code TF_NAS_A}):
 * the searched architecture's fixed widths, a stride-1 stem for 112-pixel faces, and FaceX-Zoo's output
 * layer. 39,590,703 parameters. Children carry the original's module names ({@code first_stem.conv},
 * {@code stage3.0.inverted_bottleneck.bn}, {@code squeeze_excite.conv_reduce}, ...), so parameters map
 * one-to-one onto its state-dict keys.
 *
 * <p>As in the original: BatchNorms keep PyTorch's defaults; convolutions have no bias except the
 * squeeze-and-excitation's; "relu" blocks use ReLU (not ReLU6) and "swish" blocks x·σ(x), also inside
 * their squeeze-and-excitation; a block whose mid width is not above its input width has no
 * inverted bottleneck and runs its depthwise conv on the input's width; the feature mix layer (1×1 to
 * 1280 channels, BN) has no activation; the output layer has no BatchNorm2d ({@code Dropout, Flatten,
 * Linear(1280·out_h·out_w), BatchNorm1d}, so its Linear is {@code output_layer.2}). The original's stem
 * registers its BN before its conv; only the state dict's key order shows it, the names are the same.
 */
public final class TfNas extends AbstractPlugin<TfNas.Config> implements Backbone<TfNas.Config> {

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param featDim   embedding size
     * @param dropRatio dropout before the output layer's Linear
     * @param outH      height of the last feature map (7 for 112×112 faces, 4 for the 60-row upper face)
     * @param outW      its width
     */
    public record Config(int featDim, double dropRatio, int outH, int outW) {
    }

    private static final boolean RELU = false;
    private static final boolean SWISH = true;

    public TfNas() {
        super("TF-NAS", "TF-NAS-A (Hu et al. 2020): searched inverted residuals with SE, ReLU then Swish stages, 39.6M params",
                Config.class, new Config(512, 0.2, 7, 7));
    }

    @Override
    public void validate(Config c) {
        FaceCrops.validate(c.featDim(), c.outH(), c.outW());
        if (!(c.dropRatio() >= 0 && c.dropRatio() < 1)) {
            throw new InvalidConfigException("drop_ratio", "must be in [0, 1), got " + c.dropRatio());
        }
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    /** Four stride-2 blocks with "same" padding: 16 pixels per output row; 60-row upper faces give 4. */
    @Override
    public Shape inputShape(Config c) {
        return FaceCrops.inputShape(c.outH(), c.outW());
    }

    @Override
    public Block build(Config c) {
        validate(c);
        return new Sequence()
                .add("channels_last", new ChannelsLast())
                .add("first_stem", new Sequence()
                        .add("conv", Torch.conv(32, 3, 1, 1, 1, false))
                        .add("bn", Torch.batchNorm())
                        .add("act", Torch.relu()))
                .add("second_stem", block(32, 32, 8, 16, 3, 1, RELU))
                .add("stage1", stage(
                        block(16, 83, 32, 24, 3, 2, RELU),
                        block(24, 128, 0, 24, 5, 1, RELU)))
                .add("stage2", stage(
                        block(24, 138, 48, 40, 3, 2, SWISH),
                        block(40, 297, 0, 40, 3, 1, SWISH),
                        block(40, 170, 80, 40, 5, 1, SWISH)))
                .add("stage3", stage(
                        block(40, 248, 80, 80, 5, 2, SWISH),
                        block(80, 500, 0, 80, 3, 1, SWISH),
                        block(80, 424, 0, 80, 3, 1, SWISH),
                        block(80, 477, 0, 80, 3, 1, SWISH)))
                .add("stage4", stage(
                        block(80, 504, 160, 112, 3, 1, SWISH),
                        block(112, 796, 0, 112, 3, 1, SWISH),
                        block(112, 723, 224, 112, 3, 1, SWISH),
                        block(112, 555, 224, 112, 3, 1, SWISH)))
                .add("stage5", stage(
                        block(112, 813, 0, 192, 3, 2, SWISH),
                        block(192, 1370, 0, 192, 3, 1, SWISH),
                        block(192, 1138, 384, 192, 3, 1, SWISH),
                        block(192, 1359, 384, 192, 3, 1, SWISH)))
                .add("stage6", stage(
                        block(192, 1203, 384, 320, 5, 1, SWISH)))
                .add("feature_mix_layer", new Sequence()
                        .add("conv", Torch.conv(1280, 1, 1, 0, 1, false))
                        .add("bn", Torch.batchNorm()))
                .add("output_layer", OutputLayer.builder().dropout(c.dropRatio()).features(c.featDim()).build());
    }

    private static Sequence stage(Block... blocks) {
        Sequence s = new Sequence();
        for (int i = 0; i < blocks.length; i++) {
            s.add(Integer.toString(i), blocks[i]);
        }
        return s;
    }

    /**
     * MBInvertedResBlock: [1×1 to mid, BN, act] when mid &gt; in, depthwise k×k (stride, padding k/2), BN,
     * act, [squeeze-and-excitation to se channels], 1×1 to out, BN; plus the input when in == out at
     * stride 1.
     */
    private static Block block(int in, int mid, int se, int out, int kernel, int stride, boolean swish) {
        Sequence b = new Sequence(in == out && stride == 1);
        if (mid > in) {
            b.add("inverted_bottleneck", new Sequence()
                    .add("conv", Torch.conv(mid, 1, 1, 0, 1, false))
                    .add("bn", Torch.batchNorm())
                    .add("act", act(swish)));
        } else {
            mid = in;
        }
        b.add("depth_conv", new Sequence()
                .add("conv", Torch.conv(mid, kernel, stride, kernel / 2, mid, false))
                .add("bn", Torch.batchNorm())
                .add("act", act(swish)));
        if (se > 0) {
            b.add("squeeze_excite", new SqueezeExcite(SqueezeExcite.SIGMOID)
                    .add("conv_reduce", Torch.conv(se, 1, 1, 0, 1, true))
                    .add("act", act(swish))
                    .add("conv_expand", Torch.conv(mid, 1, 1, 0, 1, true)));
        }
        b.add("point_linear", new Sequence()
                .add("conv", Torch.conv(out, 1, 1, 0, 1, false))
                .add("bn", Torch.batchNorm()));
        return b;
    }

    private static Block act(boolean swish) {
        return swish ? Torch.swish() : Torch.relu();
    }
}
