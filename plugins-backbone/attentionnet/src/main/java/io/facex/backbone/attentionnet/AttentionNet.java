package io.facex.backbone.attentionnet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.FaceCrops;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Residual Attention Network (Wang et al., 2017) as FaceX-Zoo builds it ({@code backbone/AttentionNets.py},
 * {@code ResidualAttentionNet}): a 7×7 stride-2 stem, then pre-activation bottlenecks and, in each of
 * three stages, a number of attention modules whose mask branch is an hourglass over the trunk. The
 * default (1/1/1 modules, Attention-56) has 98,964,672 parameters. Children carry FaceX-Zoo's module
 * names, so parameters map one-to-one onto its state-dict keys.
 *
 * <p>Kept from the original, so its checkpoints load and its outputs are reproduced:
 * <ul>
 *   <li>every residual block has a {@code conv4} projection, even where the shortcut is the identity and
 *       it is never used; those weights are in the checkpoints and in the parameter count;</li>
 *   <li>the projection shortcut convolves the pre-activated input {@code relu(bn1(x))}, not {@code x};</li>
 *   <li>the mask branch upsamples with {@code align_corners=True};</li>
 *   <li>the output layer is Flatten, Linear with no bias, BatchNorm1d: no BatchNorm2d, no dropout.</li>
 * </ul>
 * The original upsamples to fixed sizes and so only runs on 112×112 faces; here the mask branch
 * upsamples to the size of the map it is added to, which is the same at 112×112 and lets other input
 * sizes ({@code out_h}/{@code out_w} other than 7) work.
 */
public final class AttentionNet extends AbstractPlugin<AttentionNet.Config> implements Backbone<AttentionNet.Config> {

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param stage1Modules attention modules at 1/4 of the input size (three mask levels each)
     * @param stage2Modules attention modules at 1/8 (two mask levels)
     * @param stage3Modules attention modules at 1/16 (one mask level)
     * @param featDim       embedding size
     * @param outH          height of the last feature map (7 for 112×112 faces, 4 for the 60-row upper face)
     * @param outW          its width
     */
    public record Config(int stage1Modules, int stage2Modules, int stage3Modules, int featDim, int outH, int outW) {
    }

    public AttentionNet() {
        super("AttentionNet", "Residual Attention Network (Wang et al. 2017): hourglass attention masks over a pre-activation ResNet trunk, Attention-56 by default",
                Config.class, new Config(1, 1, 1, 512, 7, 7));
    }

    /**
     * The paper's two depths: Attention-56 (FaceX-Zoo's default, 98,964,672 parameters) and Attention-92
     * (134,562,496 parameters in FaceX-Zoo's code).
     */
    @Override
    public Map<String, Config> presets() {
        Map<String, Config> p = new LinkedHashMap<>();
        p.put("Attention-56", new Config(1, 1, 1, 512, 7, 7));
        p.put("Attention-92", new Config(1, 2, 3, 512, 7, 7));
        return p;
    }

    @Override
    public void validate(Config c) {
        modules("stage1_modules", c.stage1Modules());
        modules("stage2_modules", c.stage2Modules());
        modules("stage3_modules", c.stage3Modules());
        FaceCrops.validate(c.featDim(), c.outH(), c.outW());
    }

    private static void modules(String key, int n) {
        if (n < 0) {
            throw new InvalidConfigException(key, "must be 0 or more attention modules, got " + n);
        }
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    /** Four halvings (stem, then three strided blocks): 112 rows give 7, the 60-row upper face 4. */
    @Override
    public Shape inputShape(Config c) {
        return FaceCrops.inputShape(c.outH(), c.outW());
    }

    @Override
    public Block build(Config c) {
        Sequence body = new Sequence();
        int i = 0;
        body.add(Integer.toString(i++), new ResidualBlock(64, 256, 1));
        for (int m = 0; m < c.stage1Modules(); m++) {
            body.add(Integer.toString(i++), new AttentionModule(256, 3));
        }
        body.add(Integer.toString(i++), new ResidualBlock(256, 512, 2));
        for (int m = 0; m < c.stage2Modules(); m++) {
            body.add(Integer.toString(i++), new AttentionModule(512, 2));
        }
        body.add(Integer.toString(i++), new ResidualBlock(512, 1024, 2));
        for (int m = 0; m < c.stage3Modules(); m++) {
            body.add(Integer.toString(i++), new AttentionModule(1024, 1));
        }
        body.add(Integer.toString(i++), new ResidualBlock(1024, 2048, 2));
        body.add(Integer.toString(i++), new ResidualBlock(2048));
        body.add(Integer.toString(i), new ResidualBlock(2048));
        return new Sequence()
                .add("conv1", new Sequence()
                        .add("0", Torch.conv(64, 7, 2, 3, 1, false))
                        .add("1", Torch.batchNorm())
                        .add("2", Torch.relu()))
                .add("attention_body", body)
                .add("output_layer", OutputLayer.builder().features(c.featDim()).linearBias(false).build());
    }
}
