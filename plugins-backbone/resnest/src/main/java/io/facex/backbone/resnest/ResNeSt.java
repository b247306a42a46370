package io.facex.backbone.resnest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.ChannelPrelu;
import io.facex.nn.FaceCrops;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

/**
 * ResNeSt-50 (Zhang et al., 2020) as FaceX-Zoo builds it ({@code backbone/resnest/}): a 3×3 stride-1
 * stem (conv, BN, PReLU) in place of ResNeSt's deep stem, then four layers of split-attention
 * bottlenecks (3, 4, 6, 3 blocks; radix 2; every layer halves the map, layer 1 included) and the IR
 * ResNets' output layer (BatchNorm2d, Dropout, Flatten, Linear, BatchNorm1d): 76,793,248 parameters.
 * Children carry FaceX-Zoo's module names, so parameters map one-to-one onto its state-dict keys.
 *
 * <p>Kept from the original:
 * <ul>
 *   <li><b>the embedding is L2-normalised</b>, {@code x / ‖x‖} with no epsilon, unlike every other
 *       backbone (whose embeddings the evaluation normalises afterwards). A margin head normalises
 *       again, which changes nothing; a zero embedding gives NaN as in the original;</li>
 *   <li>only depth 50 exists: FaceX-Zoo's 101, 200 and 269 pair a 128-channel first layer with its
 *       64-channel stem and cannot run, so {@code depth} accepts 50 alone;</li>
 *   <li>the stride of a layer's first block is taken by a 3×3 average pool after the split attention
 *       (padding counted), and its shortcut pools 2×2 (ceil mode, padding not counted) before the 1×1
 *       conv, as ResNeSt's {@code avd} and {@code avg_down} options do.</li>
 * </ul>
 */
public final class ResNeSt extends AbstractPlugin<ResNeSt.Config> implements Backbone<ResNeSt.Config> {

    private static final int[] PLANES = {64, 128, 256, 512};
    private static final int[] BLOCKS_50 = {3, 4, 6, 3};

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param depth     50 (the only depth FaceX-Zoo's code can build)
     * @param dropRatio dropout before the output Linear
     * @param featDim   embedding size
     * @param outH      height of the last feature map (7 for 112×112 faces, 4 for the 60-row upper face)
     * @param outW      its width
     */
    public record Config(int depth, double dropRatio, int featDim, int outH, int outW) {
    }

    public ResNeSt() {
        super("ResNeSt", "ResNeSt-50 (Zhang et al. 2020): split-attention bottlenecks; FaceX-Zoo's version L2-normalises its embedding",
                Config.class, new Config(50, 0.4, 512, 7, 7));
    }

    @Override
    public void validate(Config c) {
        if (c.depth() != 50) {
            throw new InvalidConfigException("depth", "must be 50: FaceX-Zoo's ResNeSt builds only depth 50"
                    + " (101, 200 and 269 do not match its 64-channel stem), got " + c.depth());
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

    /** Four halvings, each rounding up: 112 rows give 7, the 60-row upper face 4. */
    @Override
    public Shape inputShape(Config c) {
        return FaceCrops.inputShape(c.outH(), c.outW());
    }

    @Override
    public Block build(Config c) {
        Sequence body = new Sequence();
        for (int l = 0; l < PLANES.length; l++) {
            Sequence layer = new Sequence();
            for (int b = 0; b < BLOCKS_50[l]; b++) {
                layer.add(Integer.toString(b), new Bottleneck(PLANES[l], b == 0 ? 2 : 1));
            }
            body.add("layer" + (l + 1), layer);
        }
        return new Sequence()
                .add("input_layer", new Sequence()
                        .add("0", Torch.conv(64, 3, 1, 1, 1, false))
                        .add("1", Torch.batchNorm())
                        .add("2", new ChannelPrelu(64)))
                .add("body", body)
                .add("output_layer", OutputLayer.builder().batchNorm2d(true).dropout(c.dropRatio())
                        .features(c.featDim()).build())
                .add("l2_norm", new LambdaBlock(ResNeSt::unitLength, "l2_norm"));
    }

    /** x / ‖x‖ per row, with no epsilon, as FaceX-Zoo's {@code l2_norm} divides. */
    private static NDList unitLength(NDList in) {
        NDArray x = in.singletonOrThrow();
        try (NDArray norm = x.norm(new int[] {1}, true)) {
            return new NDList(x.div(norm));
        }
    }
}
