package io.facex.backbone.mobilefacenet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.nn.ChannelPrelu;
import io.facex.nn.ChannelsLast;
import io.facex.nn.FaceCrops;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

/**
 * MobileFaceNet (Chen et al., 2018) as FaceX-Zoo builds it ({@code backbone/MobileFaceNets.py}):
 * 1,200,512 parameters at the default configuration. Children carry FaceX-Zoo's module names, so
 * parameters map one-to-one onto its state-dict keys.
 */
public final class MobileFaceNet extends AbstractPlugin<MobileFaceNet.Config> implements Backbone<MobileFaceNet.Config> {

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param featDim embedding size
     * @param outH    height of the last feature map (7 for 112×112 faces, 4 for the 60-row upper face)
     * @param outW    its width
     */
    public record Config(int featDim, int outH, int outW) {
    }

    public MobileFaceNet() {
        super("MobileFaceNet", "MobileFaceNet (Chen et al. 2018): depthwise bottlenecks, global depthwise conv, 1.2M params",
                Config.class, new Config(512, 7, 7));
    }

    @Override
    public void validate(Config c) {
        FaceCrops.validate(c.featDim(), c.outH(), c.outW());
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    /** Four stride-2 stages: 112 rows give 7, FaceX-Zoo's 60-row upper-face crops give 4. */
    @Override
    public Shape inputShape(Config c) {
        return FaceCrops.inputShape(c.outH(), c.outW());
    }

    @Override
    public Block build(Config c) {
        // Only residual inputs are read twice, so training may cut the backward pass at every PReLU.
        return new Sequence().cutAtPrelu()
                .add("channels_last", new ChannelsLast())
                .add("conv1", convBlock(64, 3, 3, 2, 1, 1))
                .add("conv2_dw", convBlock(64, 3, 3, 1, 1, 64))
                .add("conv_23", depthWise(64, 128, 2, false))
                .add("conv_3", residual(64, 4, 128))
                .add("conv_34", depthWise(128, 256, 2, false))
                .add("conv_4", residual(128, 6, 256))
                .add("conv_45", depthWise(128, 512, 2, false))
                .add("conv_5", residual(128, 2, 256))
                .add("conv_6_sep", convBlock(512, 1, 1, 1, 0, 1))
                .add("conv_6_dw", linearBlock(512, c.outH(), c.outW(), 1, 0, 512))
                .add("flatten", Blocks.batchFlattenBlock())
                .add("linear", Torch.linear(c.featDim(), false))
                .add("bn", Torch.batchNorm());
    }

    /** conv + BN + per-channel PReLU. */
    private static Block convBlock(int out, int kh, int kw, int stride, int pad, int groups) {
        return new Sequence()
                .add("conv", Torch.conv(out, kh, kw, stride, pad, groups, false))
                .add("bn", Torch.batchNorm())
                .add("prelu", new ChannelPrelu(out));
    }

    /** conv + BN, no activation. */
    private static Block linearBlock(int out, int kh, int kw, int stride, int pad, int groups) {
        return new Sequence()
                .add("conv", Torch.conv(out, kh, kw, stride, pad, groups, false))
                .add("bn", Torch.batchNorm());
    }

    /** Expand 1×1, depthwise 3×3 (stride), project 1×1; plus the input when residual. */
    private static Block depthWise(int out, int groups, int stride, boolean residual) {
        return new Sequence(residual)
                .add("conv", convBlock(groups, 1, 1, 1, 0, 1))
                .add("conv_dw", convBlock(groups, 3, 3, stride, 1, groups))
                .add("project", linearBlock(out, 1, 1, 1, 0, 1));
    }

    private static Block residual(int channels, int blocks, int groups) {
        Sequence model = new Sequence();
        for (int i = 0; i < blocks; i++) {
            model.add(Integer.toString(i), depthWise(channels, groups, 1, true));
        }
        return new Sequence().add("model", model);
    }
}
