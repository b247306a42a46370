package io.facex.backbone.ghostnet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.FaceCrops;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.SqueezeExcite;
import io.facex.nn.Torch;

/**
 * GhostNet (Han et al., 2020) as FaceX-Zoo builds it ({@code backbone/GhostNet.py}): 26,759,364
 * parameters at width 1.0. Children carry FaceX-Zoo's module names ({@code conv_stem}, {@code bn1},
 * {@code blocks.<stage>.<i>.ghost1.primary_conv.0}, {@code ...se.conv_reduce}, {@code output_layer.3}), so
 * parameters map one-to-one onto its state-dict keys.
 *
 * <p>FaceX-Zoo's choices, kept so its checkpoints load and its outputs are reproduced:
 * <ul>
 *   <li>the stem is a stride-1 3×3 convolution (ImageNet GhostNet uses stride 2), so a 112-pixel face
 *       reaches the output layer at 7×7 after the four strided stages;</li>
 *   <li>channel widths, and the squeeze-excitation's reduced width (a quarter of the expansion), go
 *       through {@code _make_divisible(v, 4)}: rounded to a multiple of 4, never below 4 or 10 % below v;</li>
 *   <li>the squeeze-excitation gates with a hard sigmoid, {@code relu6(x + 3) / 6}, and its 1×1 convs
 *       have biases;</li>
 *   <li>a ghost module keeps ⌈oup/2⌉ primary channels and the same number of depthwise "cheap" ones,
 *       then cuts the concatenation to oup;</li>
 *   <li>the shortcut is a depthwise conv + BN + 1×1 conv + BN whenever in ≠ out or the stride is 2, so
 *       the stride-1 block 80→112 has one too.</li>
 * </ul>
 *
 * <p>One deliberate difference (spec §9.6): FaceX-Zoo's output layer is {@code BatchNorm2d(960)} and
 * {@code Linear(960·out_h·out_w, feat_dim)} whatever the width, so any width other than 1.0 fails at its
 * first forward. Here both follow the last feature map's real channel count,
 * {@code _make_divisible(960·width, 4)}: identical at width 1.0 (every FaceX-Zoo checkpoint loads), and
 * reduced widths work.
 */
public final class GhostNet extends AbstractPlugin<GhostNet.Config> implements Backbone<GhostNet.Config> {

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param width     channel multiplier (1.0 is the paper's GhostNet)
     * @param dropRatio dropout before the output layer's Linear
     * @param outH      height of the last feature map (7 for 112×112 faces, 4 for the 60-row upper face)
     * @param outW      its width
     * @param featDim   embedding size
     */
    public record Config(double width, double dropRatio, int outH, int outW, int featDim) {
    }

    /** (kernel, expansion, out, squeeze-excite, stride) per block, grouped in FaceX-Zoo's nine stages. */
    private static final int[][][] STAGES = {
            {{3, 16, 16, 0, 1}},
            {{3, 48, 24, 0, 2}},
            {{3, 72, 24, 0, 1}},
            {{5, 72, 40, 1, 2}},
            {{5, 120, 40, 1, 1}},
            {{3, 240, 80, 0, 2}},
            {{3, 200, 80, 0, 1}, {3, 184, 80, 0, 1}, {3, 184, 80, 0, 1}, {3, 480, 112, 1, 1}, {3, 672, 112, 1, 1}},
            {{5, 672, 160, 1, 2}},
            {{5, 960, 160, 0, 1}, {5, 960, 160, 1, 1}, {5, 960, 160, 0, 1}, {5, 960, 160, 1, 1}},
    };
    private static final double SE_RATIO = 0.25;

    public GhostNet() {
        super("GhostNet", "GhostNet (Han et al. 2020): ghost modules, cheap depthwise features, hard-sigmoid SE, 26.8M params",
                Config.class, new Config(1.0, 0.2, 7, 7, 512));
    }

    @Override
    public void validate(Config c) {
        if (!(c.width() > 0) || Double.isInfinite(c.width())) {
            throw new InvalidConfigException("width", "must be a positive number, got " + c.width());
        }
        if (!(c.dropRatio() >= 0 && c.dropRatio() < 1)) {
            throw new InvalidConfigException("drop_ratio", "must be in [0, 1), got " + c.dropRatio());
        }
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
        int in = makeDivisible(16 * c.width(), 4);
        Sequence blocks = new Sequence();
        int s = 0;
        int lastExpansion = 0;
        for (int[][] stage : STAGES) {
            Sequence layers = new Sequence();
            int i = 0;
            for (int[] b : stage) {
                int out = makeDivisible(b[2] * c.width(), 4);
                int mid = makeDivisible(b[1] * c.width(), 4);
                layers.add(Integer.toString(i++), bottleneck(in, mid, out, b[0], b[4], b[3] == 1));
                in = out;
                lastExpansion = b[1];
            }
            blocks.add(Integer.toString(s++), layers);
        }
        int last = makeDivisible(lastExpansion * c.width(), 4);
        blocks.add(Integer.toString(s), new Sequence().add("0", new Sequence()
                .add("conv", Torch.conv(last, 1, 1, 0, 1, false))
                .add("bn1", Torch.batchNorm())
                .add("act1", Torch.relu())));
        return new Sequence()
                .add("conv_stem", Torch.conv(makeDivisible(16 * c.width(), 4), 3, 1, 1, 1, false))
                .add("bn1", Torch.batchNorm())
                .add("act1", Torch.relu())
                .add("blocks", blocks)
                .add("output_layer", OutputLayer.builder().batchNorm2d(true).dropout(c.dropRatio()).features(c.featDim()).build());
    }

    private static Block bottleneck(int in, int mid, int out, int kernel, int stride, boolean se) {
        GhostBottleneck b = new GhostBottleneck();
        b.add("ghost1", new GhostModule(mid, true));
        if (stride > 1) {
            b.add("conv_dw", Torch.conv(mid, kernel, stride, (kernel - 1) / 2, mid, false));
            b.add("bn_dw", Torch.batchNorm());
        }
        if (se) {
            b.add("se", new SqueezeExcite(SqueezeExcite.HARD_SIGMOID)
                    .add("conv_reduce", Torch.conv(makeDivisible(mid * SE_RATIO, 4), 1, 1, 0, 1, true))
                    .add("act1", Torch.relu())
                    .add("conv_expand", Torch.conv(mid, 1, 1, 0, 1, true)));
        }
        b.add("ghost2", new GhostModule(out, false));
        if (in == out && stride == 1) {
            return b.shortcut(null);
        }
        return b.shortcut(new Sequence()
                .add("0", Torch.conv(in, kernel, stride, (kernel - 1) / 2, in, false))
                .add("1", Torch.batchNorm())
                .add("2", Torch.conv(out, 1, 1, 0, 1, false))
                .add("3", Torch.batchNorm()));
    }

    /**
     * FaceX-Zoo's {@code _make_divisible(v, divisor)}: v rounded to the nearest multiple of divisor
     * (halves up), at least divisor, and bumped by one divisor if that lost more than 10 % of v.
     */
    static int makeDivisible(double v, int divisor) {
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }
}
