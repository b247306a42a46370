package io.facex.backbone.resnet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.Branches;
import io.facex.nn.ChannelsLast;
import io.facex.nn.FaceCrops;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.SqueezeExcite;
import io.facex.nn.Torch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The improved residual network of ArcFace (IR, and IR-SE with squeeze-and-excitation in every unit) as
 * FaceX-Zoo builds it ({@code backbone/ResNets.py}, after InsightFace_Pytorch): a 3×3 stem at full
 * resolution, four stages of 64, 128, 256 and 512 channels whose first unit halves the map
 * (112 → 7), and a BN–Dropout–Linear–BN output layer. Depth 50, 100 or 152; 71,148,736 parameters at the
 * default IR-SE-152. Children carry FaceX-Zoo's module names ({@code input_layer.0},
 * {@code body.12.res_layer.5.fc1}, {@code body.3.shortcut_layer.0}, {@code output_layer.3}), so
 * parameters map one-to-one onto its state-dict keys.
 *
 * <p>{@link SEResNet} offers the IR-SE networks under their own name.
 */
public final class ResNet extends AbstractPlugin<ResNet.Config> implements Backbone<ResNet.Config> {

    /** {@code net_mode} of the plain units. */
    public static final String IR = "ir";
    /** {@code net_mode} of the units with squeeze-and-excitation. */
    public static final String IR_SE = "ir_se";

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param depth     50, 100 or 152
     * @param dropRatio dropout before the output layer's Linear (training only)
     * @param netMode   {@code ir}, or {@code ir_se} for squeeze-and-excitation in every unit
     * @param featDim   embedding size
     * @param outH      height of the last feature map (7 for 112×112 faces, 4 for the 60-row upper face)
     * @param outW      its width
     */
    public record Config(int depth, double dropRatio, String netMode, int featDim, int outH, int outW) {
    }

    /** Units per stage for each depth FaceX-Zoo's {@code get_blocks} knows. */
    private static final Map<Integer, int[]> UNITS = Map.of(
            50, new int[] {3, 4, 14, 3},
            100, new int[] {3, 13, 30, 3},
            152, new int[] {3, 8, 36, 3});
    /** Channels of the four stages; the stem gives 64. */
    private static final int[] CHANNELS = {64, 128, 256, 512};
    /** IR-SE's SEModule(depth, 16). */
    private static final int SE_REDUCTION = 16;

    private static final Map<String, Config> PRESETS = presetsOf();

    public ResNet() {
        super("ResNet", "ResNet IR / IR-SE (InsightFace style): depth 50, 100 or 152; IR-SE-152 by default, 71.1M params",
                Config.class, new Config(152, 0.4, IR_SE, 512, 7, 7));
    }

    private static Map<String, Config> presetsOf() {
        Map<String, Config> m = new LinkedHashMap<>();
        for (String mode : new String[] {IR, IR_SE}) {
            for (int depth : new int[] {50, 100, 152}) {
                m.put((mode.equals(IR) ? "IR-" : "IR-SE-") + depth, new Config(depth, 0.4, mode, 512, 7, 7));
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** IR-50, IR-100, IR-152, IR-SE-50, IR-SE-100, IR-SE-152: the yaml's defaults but for depth and mode. */
    @Override
    public Map<String, Config> presets() {
        return PRESETS;
    }

    @Override
    public void validate(Config c) {
        units(c.depth());
        if (!(c.dropRatio() >= 0 && c.dropRatio() < 1)) {
            throw new InvalidConfigException("drop_ratio", "must be in [0, 1), got " + c.dropRatio());
        }
        if (!IR.equals(c.netMode()) && !IR_SE.equals(c.netMode())) {
            throw new InvalidConfigException("net_mode", "must be " + IR + " or " + IR_SE + ", got " + c.netMode());
        }
        FaceCrops.validate(c.featDim(), c.outH(), c.outW());
    }

    private static int[] units(int depth) {
        int[] units = UNITS.get(depth);
        if (units == null) {
            throw new InvalidConfigException("depth", "must be 50, 100 or 152, got " + depth);
        }
        return units;
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
        validate(c);
        boolean se = IR_SE.equals(c.netMode());
        Sequence body = new Sequence();
        int in = CHANNELS[0];
        int k = 0;
        int[] units = units(c.depth());
        for (int stage = 0; stage < units.length; stage++) {
            for (int u = 0; u < units[stage]; u++) {
                body.add(Integer.toString(k++), unit(in, CHANNELS[stage], u == 0 ? 2 : 1, se));
                in = CHANNELS[stage];
            }
        }
        // Units read their input twice only through Branches and squeeze-excitation, both cuts: training
        // may cut the backward pass at every PReLU.
        Sequence model = new Sequence().cutAtPrelu();
        if (!se) {
            // IR-SE stays NCHW: its squeeze-excitation on channels-last tensors drifted by 2.5e-3 from the
            // NCHW result in the contract test (libtorch 2.7), where PyTorch 1.13 agrees to 1e-6
            model.add("channels_last", new ChannelsLast());
        }
        return model
                .add("input_layer", new Sequence()
                        .add("0", Torch.conv(64, 3, 1, 1, 1, false))
                        .add("1", Torch.batchNorm())
                        .add("2", Torch.prelu(64)))
                .add("body", body)
                // BatchNorm2d(512) is hard-coded in the original; the last stage always has 512 channels.
                .add("output_layer", OutputLayer.builder().batchNorm2d(true).dropout(c.dropRatio())
                        .features(c.featDim()).build());
    }

    /**
     * {@code bottleneck_IR(in, depth, stride)} or {@code bottleneck_IR_SE}: BN, 3×3 conv, PReLU, 3×3 conv
     * (the stride), BN [, SE], plus the shortcut, with no activation after the sum.
     */
    private static Block unit(int in, int depth, int stride, boolean se) {
        Sequence res = new Sequence()
                .add("0", Torch.batchNorm())
                .add("1", Torch.conv(depth, 3, 1, 1, 1, false))
                .add("2", Torch.prelu(depth))
                .add("3", Torch.conv(depth, 3, stride, 1, 1, false))
                .add("4", Torch.batchNorm());
        if (se) {
            res.add("5", new SqueezeExcite(SqueezeExcite.SIGMOID)
                    .add("fc1", Torch.conv(depth / SE_REDUCTION, 1, 1, 0, 1, false))
                    .add("relu", Torch.relu())
                    .add("fc2", Torch.conv(depth, 1, 1, 0, 1, false)));
        }
        return new Branches().add("res_layer", res).add("shortcut_layer", shortcut(in, depth, stride));
    }

    /**
     * {@code MaxPool2d(1, stride)} when the channels stay (it keeps every stride-th pixel, even in stage
     * 1's first unit, 64 → 64), else a strided 1×1 conv and BN. At stride 1 the pool is the identity and
     * is run as one.
     */
    private static Block shortcut(int in, int depth, int stride) {
        if (in == depth) {
            return stride == 1 ? Blocks.identityBlock() : Torch.maxPool(1, stride, 0);
        }
        return new Sequence()
                .add("0", Torch.conv(depth, 1, stride, 0, 1, false))
                .add("1", Torch.batchNorm());
    }
}
