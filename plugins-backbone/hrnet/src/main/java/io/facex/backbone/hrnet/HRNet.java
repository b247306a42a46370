package io.facex.backbone.hrnet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HRNet (Wang et al., 2019), the classification variant, as FaceX-Zoo builds it
 * ({@code backbone/HRNet.py}): 70,631,252 parameters at the default (W18) configuration. Branches of
 * decreasing resolution run in parallel and exchange information at the end of every module; the head
 * widens each branch with one Bottleneck, merges them down to the lowest resolution and ends in a 1×1 conv
 * to 2048 channels and the output layer. Children carry FaceX-Zoo's module names, so parameters map one to
 * one onto its state-dict keys ({@code stage3.2.fuse_layers.2.0.1.0.weight}).
 *
 * <p>FaceX-Zoo's behaviour kept, so its checkpoints load and its numbers come out:
 * <ul>
 * <li>The stem's second conv has stride 1 (the classification HRNet's has 2), so a 112-pixel face gives
 *     branches at 56, 28, 14 and 7 pixels; the input is 16·out_h × 16·out_w.</li>
 * <li>The head's widths are fixed whatever the branches' widths: Bottlenecks of 32, 64, 128 and 256
 *     planes (128 to 1024 channels), downsampling convs 3×3 stride 2 <em>with</em> bias, a final 1×1 conv
 *     to 2048 channels with bias. STAGE4 must therefore have exactly four branches.</li>
 * <li>The output layer is Flatten, Linear(2048·out_h·out_w → feat_dim, no bias), BatchNorm1d — no
 *     BatchNorm2d or Dropout before it, hence state-dict keys {@code output_layer.1.weight} and
 *     {@code output_layer.2.*}. FaceX-Zoo hard-codes BatchNorm1d(512), which fails there for any other
 *     feat_dim; here it has feat_dim features, the same module at 512, the only size FaceX-Zoo runs.</li>
 * <li>A transition feeds every new or re-widened branch from the previous stage's last (lowest-resolution)
 *     branch, the original's forward; a width change of any other existing branch is therefore rejected
 *     (the original fails on it at run time).</li>
 * <li>The yaml section is bound as it is: {@code STAGE1} spells its branch count {@code NUM_RANCHES}
 *     (FaceX-Zoo's typo, which nothing reads); {@code NAME}, {@code IMAGE_SIZE} and every
 *     {@code FUSE_METHOD} are read by nothing in the original either (the fuse always sums).</li>
 * <li>{@code init_weights} is never called by FaceX-Zoo's factory: layers get the framework's default
 *     initialisation.</li>
 * <li>BatchNorm momentum 0.1 and eps 1e-5 (PyTorch's defaults) everywhere.</li>
 * </ul>
 */
public final class HRNet extends AbstractPlugin<HRNet.Config> implements Backbone<HRNet.Config> {

    /** The residual units a stage may be made of ({@code BLOCK}), with their channel expansion. */
    public enum BlockType {
        BASIC(1), BOTTLENECK(4);

        private final int expansion;

        BlockType(int expansion) {
            this.expansion = expansion;
        }

        public int expansion() {
            return expansion;
        }
    }

    /** How a module combines its branches; the original sums whatever this says. */
    public enum FuseMethod {
        SUM
    }

    /**
     * FaceX-Zoo's {@code HRNet:} section of {@code backbone_conf.yaml}, keys spelt as there.
     *
     * @param name      {@code NAME}, the original's model name (cls_hrnet); informational
     * @param outH      height of the last feature map (7 for 112-pixel faces)
     * @param outW      its width
     * @param featDim   embedding size
     * @param imageSize {@code IMAGE_SIZE}, [height, width]; informational, as in the original: the input is
     *                  16·out_h × 16·out_w
     * @param extra     {@code EXTRA}, the four stages
     */
    public record Config(
            @JsonProperty("NAME") String name,
            int outH,
            int outW,
            int featDim,
            @JsonProperty("IMAGE_SIZE") List<Integer> imageSize,
            @JsonProperty("EXTRA") Extra extra) {
    }

    /** {@code EXTRA}: the stem's residual layer (STAGE1) and the three multi-resolution stages. */
    public record Extra(
            @JsonProperty("STAGE1") Stage1 stage1,
            @JsonProperty("STAGE2") Stage stage2,
            @JsonProperty("STAGE3") Stage stage3,
            @JsonProperty("STAGE4") Stage stage4) {
    }

    /**
     * {@code STAGE1}: one branch of NUM_BLOCKS[0] units of NUM_CHANNELS[0] planes after the stem.
     *
     * @param numRanches {@code NUM_RANCHES} (sic): FaceX-Zoo's spelling of the branch count, 1
     */
    public record Stage1(
            @JsonProperty("NUM_MODULES") Integer numModules,
            @JsonProperty("NUM_RANCHES") Integer numRanches,
            @JsonProperty("BLOCK") BlockType block,
            @JsonProperty("NUM_BLOCKS") List<Integer> numBlocks,
            @JsonProperty("NUM_CHANNELS") List<Integer> numChannels,
            @JsonProperty("FUSE_METHOD") FuseMethod fuseMethod) {
    }

    /**
     * {@code STAGE2..4}: NUM_MODULES modules of NUM_BRANCHES parallel branches, branch i being
     * NUM_BLOCKS[i] units of NUM_CHANNELS[i] planes.
     */
    public record Stage(
            @JsonProperty("NUM_MODULES") Integer numModules,
            @JsonProperty("NUM_BRANCHES") Integer numBranches,
            @JsonProperty("BLOCK") BlockType block,
            @JsonProperty("NUM_BLOCKS") List<Integer> numBlocks,
            @JsonProperty("NUM_CHANNELS") List<Integer> numChannels,
            @JsonProperty("FUSE_METHOD") FuseMethod fuseMethod) {
    }

    /** The head's Bottleneck planes per branch, fixed in the original. */
    private static final int[] HEAD_PLANES = {32, 64, 128, 256};
    private static final int HEAD_OUT = 2048;
    private static final int STEM = 64;

    public HRNet() {
        super("HRNet", "HRNet (Wang et al. 2019), FaceX-Zoo's W18: four parallel resolutions exchanging at every module, 70.6M params",
                Config.class, config(18));
    }

    /**
     * HRNet's classification family, W18 (FaceX-Zoo's default) to W64: branch widths C, 2C, 4C, 8C with
     * the same depths, 1, 4 and 3 modules of 4 BasicBlocks per branch.
     */
    @Override
    public Map<String, Config> presets() {
        Map<String, Config> presets = new LinkedHashMap<>();
        for (int c : new int[] {18, 30, 32, 40, 44, 48, 64}) {
            presets.put("HRNet-W" + c, config(c));
        }
        return presets;
    }

    private static Config config(int c) {
        return new Config("cls_hrnet", 7, 7, 512, List.of(112, 112), new Extra(
                new Stage1(1, 1, BlockType.BOTTLENECK, List.of(4), List.of(64), FuseMethod.SUM),
                new Stage(1, 2, BlockType.BASIC, List.of(4, 4), List.of(c, 2 * c), FuseMethod.SUM),
                new Stage(4, 3, BlockType.BASIC, List.of(4, 4, 4), List.of(c, 2 * c, 4 * c), FuseMethod.SUM),
                new Stage(3, 4, BlockType.BASIC, List.of(4, 4, 4, 4), List.of(c, 2 * c, 4 * c, 8 * c), FuseMethod.SUM)));
    }

    @Override
    public void validate(Config c) {
        if (c.featDim() <= 0) {
            throw new InvalidConfigException("feat_dim", "must be positive, got " + c.featDim());
        }
        if (c.outH() <= 0) {
            throw new InvalidConfigException("out_h", "must be positive (7 for 112-pixel faces), got " + c.outH());
        }
        if (c.outW() <= 0) {
            throw new InvalidConfigException("out_w", "must be positive (7 for 112-pixel faces), got " + c.outW());
        }
        if (c.imageSize() == null || c.imageSize().size() != 2 || c.imageSize().stream().anyMatch(v -> v == null || v <= 0)) {
            throw new InvalidConfigException("IMAGE_SIZE", "must be two positive sizes [height, width], got " + c.imageSize());
        }
        Extra e = c.extra();
        if (e == null) {
            throw new InvalidConfigException("EXTRA", "is missing: it holds STAGE1..STAGE4");
        }
        Stage1 s1 = e.stage1();
        String k1 = "EXTRA.STAGE1";
        if (s1 == null) {
            throw new InvalidConfigException(k1, "is missing");
        }
        if (s1.numModules() == null || s1.numModules() != 1) {
            throw new InvalidConfigException(k1 + ".NUM_MODULES", "must be 1: stage 1 is one residual layer, got " + s1.numModules());
        }
        if (s1.numRanches() == null || s1.numRanches() != 1) {
            throw new InvalidConfigException(k1 + ".NUM_RANCHES", "must be 1: stage 1 has one branch, got " + s1.numRanches());
        }
        checkStage(k1, s1.block(), 1, s1.numBlocks(), s1.numChannels(), s1.fuseMethod());
        int[] previous = {s1.numChannels().get(0) * s1.block().expansion()};
        Stage[] stages = {e.stage2(), e.stage3(), e.stage4()};
        for (int k = 0; k < 3; k++) {
            String key = "EXTRA.STAGE" + (k + 2);
            Stage s = stages[k];
            if (s == null) {
                throw new InvalidConfigException(key, "is missing");
            }
            if (s.numModules() == null || s.numModules() <= 0) {
                throw new InvalidConfigException(key + ".NUM_MODULES", "must be positive, got " + s.numModules());
            }
            if (s.numBranches() == null) {
                throw new InvalidConfigException(key + ".NUM_BRANCHES", "is missing");
            }
            int branches = s.numBranches();
            if (k == 2 ? branches != HEAD_PLANES.length : branches < 1 || branches > HEAD_PLANES.length) {
                throw new InvalidConfigException(key + ".NUM_BRANCHES", (k == 2
                        ? "must be 4: the head widens exactly four branches"
                        : "must be 1..4 (one resolution per branch, halving from 1/2 to 1/16 of the face)")
                        + ", got " + branches);
            }
            checkStage(key, s.block(), branches, s.numBlocks(), s.numChannels(), s.fuseMethod());
            int[] current = widths(s);
            for (int i = 0; i < Math.min(branches, previous.length - 1); i++) {
                if (current[i] != previous[i]) {
                    throw new InvalidConfigException(key + ".NUM_CHANNELS", "branch " + i + " must keep the previous stage's "
                            + previous[i] + " channels (×" + s.block().expansion() + " for " + s.block()
                            + "): FaceX-Zoo's transition feeds a re-widened branch from the last one; got " + current[i]);
                }
            }
            previous = current;
        }
    }

    private static void checkStage(String key, BlockType block, int branches, List<Integer> blocks, List<Integer> channels, FuseMethod fuse) {
        if (block == null) {
            throw new InvalidConfigException(key + ".BLOCK", "is missing: BASIC or BOTTLENECK");
        }
        if (fuse == null) {
            throw new InvalidConfigException(key + ".FUSE_METHOD", "is missing: SUM");
        }
        checkList(key + ".NUM_BLOCKS", blocks, branches);
        checkList(key + ".NUM_CHANNELS", channels, branches);
    }

    private static void checkList(String key, List<Integer> values, int branches) {
        if (values == null || values.size() != branches) {
            throw new InvalidConfigException(key, "must list one positive value per branch (" + branches + "), got " + values);
        }
        for (Integer v : values) {
            if (v == null || v <= 0) {
                throw new InvalidConfigException(key, "must list one positive value per branch (" + branches + "), got " + values);
            }
        }
    }

    /** The channels of each branch of a stage: NUM_CHANNELS × the unit's expansion. */
    private static int[] widths(Stage s) {
        int[] w = new int[s.numBranches()];
        for (int i = 0; i < w.length; i++) {
            w[i] = s.numChannels().get(i) * s.block().expansion();
        }
        return w;
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    /** A stride-2 stem and three stride-2 steps to the lowest resolution: 16 pixels per output pixel. */
    @Override
    public Shape inputShape(Config c) {
        return new Shape(3, 16L * c.outH(), 16L * c.outW());
    }

    @Override
    public Block build(Config c) {
        Extra e = c.extra();
        Stage1 s1 = e.stage1();
        int planes1 = s1.numChannels().get(0);
        // NCHW: channels-last made its forward pass 23 % faster but its training step 3-12 % slower (README)
        Sequence net = new Sequence()
                .add("conv1", Torch.conv(STEM, 3, 2, 1, 1, false))
                .add("bn1", Torch.batchNorm())
                .add("relu", Torch.relu())
                .add("conv2", Torch.conv(STEM, 3, 1, 1, 1, false))
                .add("bn2", Torch.batchNorm())
                .add("relu", Torch.relu())
                .add("layer1", layer(s1.block(), STEM, planes1, s1.numBlocks().get(0)));
        int[] previous = {planes1 * s1.block().expansion()};
        Stage[] stages = {e.stage2(), e.stage3(), e.stage4()};
        for (int k = 0; k < stages.length; k++) {
            int[] current = widths(stages[k]);
            net.add("transition" + (k + 1), transition(previous, current));
            net.add("stage" + (k + 2), stage(stages[k], current));
            previous = current;
        }
        Block[] incre = new Block[previous.length];
        Block[] downs = new Block[previous.length - 1];
        for (int i = 0; i < previous.length; i++) {
            incre[i] = layer(BlockType.BOTTLENECK, previous[i], HEAD_PLANES[i], 1);
            if (i > 0) {
                downs[i - 1] = new Sequence()
                        .add("0", Torch.conv(HEAD_PLANES[i] * 4, 3, 2, 1, 1, true))
                        .add("1", Torch.batchNorm())
                        .add("2", Torch.relu());
            }
        }
        return net.add("incre_modules", new ModuleList(incre))
                .add("downsamp_modules", new HeadMerge(downs))
                .add("final_layer", new Sequence()
                        .add("0", Torch.conv(HEAD_OUT, 1, 1, 0, 1, true))
                        .add("1", Torch.batchNorm())
                        .add("2", Torch.relu()))
                .add("output_layer", OutputLayer.builder().batchNorm2d(false).linearBias(false).features(c.featDim()).build());
    }

    /** {@code _make_layer}: units of {@code planes}, the first with a 1×1 conv + BN shortcut where the width changes. */
    private static Sequence layer(BlockType type, int inChannels, int planes, int blocks) {
        Sequence layer = new Sequence();
        int in = inChannels;
        for (int b = 0; b < blocks; b++) {
            layer.add(Integer.toString(b), unit(type, in, planes));
            in = planes * type.expansion();
        }
        return layer;
    }

    private static ResidualUnit unit(BlockType type, int inChannels, int planes) {
        ResidualUnit u = new ResidualUnit();
        if (type == BlockType.BASIC) {
            u.add("conv1", Torch.conv(planes, 3, 1, 1, 1, false))
                    .add("bn1", Torch.batchNorm())
                    .add("relu", Torch.relu())
                    .add("conv2", Torch.conv(planes, 3, 1, 1, 1, false))
                    .add("bn2", Torch.batchNorm());
        } else {
            u.add("conv1", Torch.conv(planes, 1, 1, 0, 1, false))
                    .add("bn1", Torch.batchNorm())
                    .add("relu", Torch.relu())
                    .add("conv2", Torch.conv(planes, 3, 1, 1, 1, false))
                    .add("bn2", Torch.batchNorm())
                    .add("relu", Torch.relu())
                    .add("conv3", Torch.conv(planes * 4, 1, 1, 0, 1, false))
                    .add("bn3", Torch.batchNorm());
        }
        if (inChannels != planes * type.expansion()) {
            u.downsample(new Sequence()
                    .add("0", Torch.conv(planes * type.expansion(), 1, 1, 0, 1, false))
                    .add("1", Torch.batchNorm()));
        }
        return u;
    }

    /**
     * {@code _make_transition_layer}: None where a branch keeps its width; a 3×3 conv + BN + ReLU where the
     * last branch changes width; for each new branch, a chain of 3×3 stride-2 conv + BN + ReLU steps from
     * the last branch, all but the final step keeping its width.
     */
    private static Transition transition(int[] previous, int[] current) {
        Block[] items = new Block[current.length];
        int last = previous[previous.length - 1];
        for (int i = 0; i < current.length; i++) {
            if (i < previous.length) {
                items[i] = current[i] == previous[i] ? null : convBnRelu(current[i], 1);
            } else {
                Sequence chain = new Sequence();
                int steps = i + 1 - previous.length;
                for (int s = 0; s < steps; s++) {
                    chain.add(Integer.toString(s), convBnRelu(s == steps - 1 ? current[i] : last, 2));
                }
                items[i] = chain;
            }
        }
        return new Transition(items);
    }

    private static Sequence convBnRelu(int out, int stride) {
        return new Sequence()
                .add("0", Torch.conv(out, 3, stride, 1, 1, false))
                .add("1", Torch.batchNorm())
                .add("2", Torch.relu());
    }

    /** {@code _make_stage}: NUM_MODULES {@code HighResolutionModule}s, every one with multi-scale output. */
    private static Sequence stage(Stage s, int[] widths) {
        Sequence stage = new Sequence();
        for (int m = 0; m < s.numModules(); m++) {
            stage.add(Integer.toString(m), module(s, widths));
        }
        return stage;
    }

    /** A {@code HighResolutionModule}: every branch through its units, then (with two or more) the fuse. */
    private static Sequence module(Stage s, int[] widths) {
        int n = widths.length;
        Block[] branches = new Block[n];
        for (int i = 0; i < n; i++) {
            branches[i] = layer(s.block(), widths[i], s.numChannels().get(i), s.numBlocks().get(i));
        }
        Sequence module = new Sequence().add("branches", new ModuleList(branches));
        if (n == 1) {
            return module; // the original has no fuse layers then, and no ReLU after the branch
        }
        ModuleList[] rows = new ModuleList[n];
        for (int i = 0; i < n; i++) {
            Block[] row = new Block[n];
            for (int j = 0; j < n; j++) {
                if (j > i) {
                    row[j] = new Sequence()
                            .add("0", Torch.conv(widths[i], 1, 1, 0, 1, false))
                            .add("1", Torch.batchNorm())
                            .add("2", new Upsample(1 << (j - i)));
                } else if (j < i) {
                    Sequence chain = new Sequence();
                    for (int k = 0; k < i - j; k++) {
                        Sequence step = new Sequence()
                                .add("0", Torch.conv(k == i - j - 1 ? widths[i] : widths[j], 3, 2, 1, 1, false))
                                .add("1", Torch.batchNorm());
                        if (k < i - j - 1) {
                            step.add("2", Torch.relu());
                        }
                        chain.add(Integer.toString(k), step);
                    }
                    row[j] = chain;
                }
            }
            rows[i] = new ModuleList(row);
        }
        return module.add("fuse_layers", new FuseLayers(rows));
    }
}
