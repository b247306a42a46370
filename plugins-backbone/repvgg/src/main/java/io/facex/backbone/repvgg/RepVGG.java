package io.facex.backbone.repvgg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.Branches;
import io.facex.nn.FaceCrops;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;
import io.facex.nn.TorchNames;
import io.facex.weights.BlockWeights;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import io.facex.weights.WeightsException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RepVGG (Ding et al., 2021) as FaceX-Zoo builds it ({@code backbone/RepVGG.py}): a stride-1 stem block,
 * four stages of RepVGG blocks whose first block halves the map (112 → 7), and FaceX-Zoo's output layer.
 * 106,751,872 parameters at the default configuration (RepVGG-B1). Children carry FaceX-Zoo's module
 * names, so parameters map one-to-one onto its state-dict keys ({@code stage3.5.rbr_dense.conv.weight},
 * {@code stage1.1.rbr_identity.running_var}, {@code output_layer.2.weight}).
 *
 * <p>A block has two forms. The training form is {@code ReLU(BN(conv3×3(x)) + BN(conv1×1(x)) + BN(x))},
 * three branches summed ({@link Branches}: {@code rbr_dense}, {@code rbr_1x1}, and {@code rbr_identity}
 * only where the block keeps its channel count at stride 1). The deploy form is one 3×3 conv with bias,
 * {@code rbr_reparam}, followed by the ReLU: configuration key {@code deploy: true}. In eval mode the two
 * compute the same function once the weights are converted by {@link #deployWeights} (state dicts, as
 * FaceX-Zoo's {@code repvgg_model_convert} converts a model) or {@link #deploy} (a trained block).
 *
 * <p>Named configurations ({@link #presets()}): the original's {@code RepVGG-A0} ... {@code RepVGG-D2se}.
 * The grouped variants ({@code B1g2}, ...) need the key {@code groups}, which FaceX-Zoo's yaml lacks
 * (its factory cannot build them): 2 or 4 groups on the original's optional groupwise layers, the
 * even-numbered blocks 2 ... 26 counted from stage 1. {@code RepVGG-D2se} is built as FaceX-Zoo builds it,
 * without SE: the original's block ignores {@code use_se}.
 */
public final class RepVGG extends AbstractPlugin<RepVGG.Config> implements Backbone<RepVGG.Config> {

    /** PyTorch's BatchNorm eps, which FaceX-Zoo's RepVGG keeps everywhere. */
    static final double EPS = 1e-5;

    /** The original's {@code optional_groupwise_layers}: blocks 2, 4, ... 26, counted from stage 1. */
    private static final int LAST_GROUPWISE_LAYER = 26;

    /** Channels of stages 1-4 at width 1. */
    private static final int[] BASE_CHANNELS = {64, 128, 256, 512};

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section, plus two keys of the original model that the yaml
     * does not reach.
     *
     * @param blocks1 blocks of stage 1 (the first halves the map), likewise {@code blocks2..4}
     * @param width1  width multiplier of stage 1 (64 · width1 channels; the stem has min(64, that)),
     *                likewise {@code width2..4} for 128, 256 and 512 channels
     * @param outH    height of the last feature map (7 for 112×112 faces)
     * @param outW    its width
     * @param featDim embedding size
     * @param groups  groups of the convs of the original's optional groupwise layers: 1 (FaceX-Zoo's
     *                factory), 2 or 4 (the {@code g2}/{@code g4} variants)
     * @param deploy  the deploy form: one 3×3 conv with bias per block ({@code rbr_reparam})
     */
    public record Config(int blocks1, int blocks2, int blocks3, int blocks4,
                         double width1, double width2, double width3, double width4,
                         int outH, int outW, int featDim, int groups, boolean deploy) {

        /** This configuration in the deploy form ({@code deploy = true}) or the training form. */
        public Config withDeploy(boolean deployForm) {
            return new Config(blocks1, blocks2, blocks3, blocks4, width1, width2, width3, width4,
                    outH, outW, featDim, groups, deployForm);
        }
    }

    private static final Map<String, Config> PRESETS;

    static {
        Map<String, Config> p = new LinkedHashMap<>();
        int[] a = {2, 4, 14, 1};
        int[] b = {4, 6, 16, 1};
        p.put("RepVGG-A0", preset(a, 0.75, 0.75, 0.75, 2.5, 1));
        p.put("RepVGG-A1", preset(a, 1, 1, 1, 2.5, 1));
        p.put("RepVGG-A2", preset(a, 1.5, 1.5, 1.5, 2.75, 1));
        p.put("RepVGG-B0", preset(b, 1, 1, 1, 2.5, 1));
        for (int g : new int[] {1, 2, 4}) {
            p.put("RepVGG-B1" + (g == 1 ? "" : "g" + g), preset(b, 2, 2, 2, 4, g));
        }
        for (int g : new int[] {1, 2, 4}) {
            p.put("RepVGG-B2" + (g == 1 ? "" : "g" + g), preset(b, 2.5, 2.5, 2.5, 5, g));
        }
        for (int g : new int[] {1, 2, 4}) {
            p.put("RepVGG-B3" + (g == 1 ? "" : "g" + g), preset(b, 3, 3, 3, 5, g));
        }
        p.put("RepVGG-D2se", preset(new int[] {8, 14, 24, 1}, 2.5, 2.5, 2.5, 5, 1));
        PRESETS = Collections.unmodifiableMap(p);
    }

    private static Config preset(int[] blocks, double w1, double w2, double w3, double w4, int groups) {
        return new Config(blocks[0], blocks[1], blocks[2], blocks[3], w1, w2, w3, w4, 7, 7, 512, groups, false);
    }

    public RepVGG() {
        super("RepVGG", "RepVGG (Ding et al. 2021): re-parameterisable 3x3/1x1/identity blocks, default B1, 106.8M params",
                Config.class, PRESETS.get("RepVGG-B1"));
    }

    /** RepVGG-A0 ... RepVGG-D2se as the original's {@code func_dict} defines them, 7×7 maps, 512 features. */
    @Override
    public Map<String, Config> presets() {
        return PRESETS;
    }

    @Override
    public void validate(Config c) {
        int[] blocks = {c.blocks1(), c.blocks2(), c.blocks3(), c.blocks4()};
        double[] widths = {c.width1(), c.width2(), c.width3(), c.width4()};
        for (int s = 0; s < 4; s++) {
            if (blocks[s] <= 0) {
                throw new InvalidConfigException("blocks" + (s + 1), "must be positive, got " + blocks[s]);
            }
            int channels = (int) (BASE_CHANNELS[s] * widths[s]);
            if (!(widths[s] > 0) || channels < 1 || BASE_CHANNELS[s] * widths[s] > 1 << 16) {
                throw new InvalidConfigException("width" + (s + 1), "must give 1 to 65536 channels (" + BASE_CHANNELS[s]
                        + " × width), got " + widths[s]);
            }
        }
        FaceCrops.validate(c.featDim(), c.outH(), c.outW());
        if (c.groups() <= 0) {
            throw new InvalidConfigException("groups", "must be positive (1, or 2 and 4 for the g2/g4 variants), got " + c.groups());
        }
        for (Unit u : units(c)) {
            if (u.in() % u.groups() != 0 || u.out() % u.groups() != 0) {
                throw new InvalidConfigException("groups", c.groups() + " groups do not divide the " + u.in() + " → "
                        + u.out() + " channels of block " + u.name());
            }
        }
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    /** Four stride-2 3×3 convs: 112 rows give 7, FaceX-Zoo's 60-row upper-face crops give 4. */
    @Override
    public Shape inputShape(Config c) {
        return FaceCrops.inputShape(c.outH(), c.outW());
    }

    @Override
    public Block build(Config c) {
        validate(c);
        Sequence net = new Sequence();
        Sequence stage = null;
        for (Unit u : units(c)) {
            if (u.stage() == 0) {
                net.add("stage0", block(u, c.deploy())).add("nonlinearity", Torch.relu());
                continue;
            }
            if (u.index() == 0) {
                stage = new Sequence();
                net.add("stage" + u.stage(), stage);
            }
            stage.add(Integer.toString(u.index()), block(u, c.deploy())).add("nonlinearity", Torch.relu());
        }
        return net.add("output_layer", OutputLayer.builder().batchNorm2d(true).features(c.featDim()).build());
    }

    /**
     * One RepVGG block without its ReLU (a sibling, so that the branches sit directly under the block's
     * key): the three branches summed, or the deploy form's single conv.
     */
    private static Block block(Unit u, boolean deploy) {
        if (deploy) {
            return new Sequence().add("rbr_reparam", Torch.conv(u.out(), 3, u.stride(), 1, u.groups(), true));
        }
        Branches b = new Branches()
                .add("rbr_dense", convBn(u.out(), 3, u.stride(), 1, u.groups()))
                .add("rbr_1x1", convBn(u.out(), 1, u.stride(), 0, u.groups()));
        if (u.identity()) {
            b.add("rbr_identity", Torch.batchNorm());
        }
        return b;
    }

    /** {@code conv_bn}: a conv without bias, then BatchNorm2d. */
    private static Block convBn(int out, int kernel, int stride, int padding, int groups) {
        return new Sequence().add("conv", Torch.conv(out, kernel, stride, padding, groups, false)).add("bn", Torch.batchNorm());
    }

    // ---------------------------------------------------------------------------------------------
    // Re-parameterisation

    /**
     * The deploy form of training-form weights, as FaceX-Zoo's {@code repvgg_model_convert} (each block's
     * {@code get_equivalent_kernel_bias}) computes it: per branch, the kernel scaled by γ/σ and the bias
     * β − μγ/σ, with σ = √(running_var + 1e-5); the 1×1 kernel zero-padded to 3×3 and the identity as a
     * 3×3 kernel with γ/σ at the centre of its own channel; all summed into {@code <block>.rbr_reparam.weight}
     * and {@code .bias}. Every other tensor (the output layer, {@code num_batches_tracked}) is kept as it
     * is, in place. Computed in double precision and stored as float32.
     *
     * @param train  a training-form backbone state dict with FaceX-Zoo's keys (no {@code backbone.} prefix:
     *               pass a checkpoint's {@link StateDict#backbone()})
     * @param config the training-form configuration those weights were made for
     * @return the state dict of {@code config.withDeploy(true)}
     * @throws IllegalArgumentException if a block's tensors are missing, misshaped, already in the deploy
     *                                  form or not of this configuration, all named
     */
    public static StateDict deployWeights(StateDict train, Config config) {
        if (config.deploy()) {
            throw new IllegalArgumentException("deployWeights converts training-form weights: the configuration "
                    + "given is already the deploy form (deploy: true)");
        }
        Map<String, Unit> unitOf = new LinkedHashMap<>();
        for (Unit u : units(config)) {
            unitOf.put(u.name(), u);
        }
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<String> fused = new HashSet<>();
        for (Map.Entry<String, Tensor> e : train.asMap().entrySet()) {
            String key = e.getKey();
            int at = key.indexOf(".rbr_");
            if (at < 0) {
                out.put(key, e.getValue());
                continue;
            }
            Unit u = unitOf.get(key.substring(0, at));
            if (u == null) {
                problems.add(key + ": no such block in this configuration");
            } else if (key.startsWith(u.name() + ".rbr_reparam.")) {
                problems.add(key + ": already in the deploy form");
            } else if (fused.add(u.name())) {
                try {
                    Tensor[] kb = fuse(u, train);
                    out.put(u.name() + ".rbr_reparam.weight", kb[0]);
                    out.put(u.name() + ".rbr_reparam.bias", kb[1]);
                } catch (IllegalArgumentException ex) {
                    problems.add(ex.getMessage());
                }
            }
        }
        for (String name : unitOf.keySet()) {
            if (!fused.contains(name)) {
                problems.add(name + ": no tensors of this block");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(train.source() + " cannot be converted to the deploy form:\n  "
                    + String.join("\n  ", problems));
        }
        return new StateDict(train.source() + " (deploy form)", out, train.extras());
    }

    /**
     * A trained block in the deploy form: its weights (every parameter, BatchNorm statistics included)
     * converted by {@link #deployWeights} into a new block of {@code config.withDeploy(true)},
     * initialised on the trained block's manager. The trained block is left as it is.
     *
     * @param trained an initialised training-form block this plugin built from {@code config}
     */
    public Block deploy(Block trained, Config config) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        NDManager manager = null;
        for (Pair<String, Parameter> p : trained.getParameters()) {
            NDArray a = p.getValue().getArray();
            manager = manager == null ? a.getManager() : manager;
            tensors.put(TorchNames.toTorch(p.getKey()),
                    Tensor.ofFloats(a.toType(DataType.FLOAT32, false).toFloatArray(), a.getShape().getShape()));
        }
        StateDict deployed = deployWeights(new StateDict("the trained " + name() + " block", tensors), config);
        Config d = config.withDeploy(true);
        Block block = build(d);
        block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(inputShape(d)));
        try {
            BlockWeights.apply(block, deployed, TorchNames::toTorch);
        } catch (WeightsException e) {
            throw new IllegalArgumentException("the trained block is not a training-form " + name() + " of this configuration: "
                    + e.getMessage(), e);
        }
        return block;
    }

    /** {@code get_equivalent_kernel_bias} of one block: {kernel (out, in/groups, 3, 3), bias (out)}. */
    private static Tensor[] fuse(Unit u, StateDict sd) {
        String p = u.name();
        int perGroup = u.in() / u.groups();
        float[] k3 = kernel(sd, p + ".rbr_dense.conv.weight", u.out(), perGroup, 3);
        float[] k1 = kernel(sd, p + ".rbr_1x1.conv.weight", u.out(), perGroup, 1);
        double[][] s3 = scaleShift(sd, p + ".rbr_dense.bn", u.out());
        double[][] s1 = scaleShift(sd, p + ".rbr_1x1.bn", u.out());
        double[][] sid = null;
        if (u.identity()) {
            sid = scaleShift(sd, p + ".rbr_identity", u.out());
        } else if (sd.contains(p + ".rbr_identity.weight")) {
            throw new IllegalArgumentException(p + ".rbr_identity: the block changes channels or stride here, so "
                    + "it has no identity branch in this configuration");
        }
        float[] kernel = new float[u.out() * perGroup * 9];
        float[] bias = new float[u.out()];
        for (int o = 0; o < u.out(); o++) {
            double b = s3[1][o] + s1[1][o] + (sid == null ? 0 : sid[1][o]);
            bias[o] = (float) b;
            for (int i = 0; i < perGroup; i++) {
                int base = (o * perGroup + i) * 9;
                for (int t = 0; t < 9; t++) {
                    double v = k3[base + t] * s3[0][o];
                    if (t == 4) {
                        v += k1[o * perGroup + i] * s1[0][o];
                        if (sid != null && i == o % perGroup) {
                            v += sid[0][o];
                        }
                    }
                    kernel[base + t] = (float) v;
                }
            }
        }
        return new Tensor[] {Tensor.ofFloats(kernel, u.out(), perGroup, 3, 3), Tensor.ofFloats(bias, u.out())};
    }

    private static float[] kernel(StateDict sd, String key, int out, int in, int k) {
        Tensor t = require(sd, key);
        long[] want = {out, in, k, k};
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(key + ": shape " + t.shapeString() + ", expected " + Tensor.shapeString(want));
        }
        return t.toFloatArray();
    }

    /** A BatchNorm's γ/σ and β − μγ/σ per channel. */
    private static double[][] scaleShift(StateDict sd, String bn, int channels) {
        double[] gamma = vector(sd, bn + ".weight", channels);
        double[] beta = vector(sd, bn + ".bias", channels);
        double[] mean = vector(sd, bn + ".running_mean", channels);
        double[] var = vector(sd, bn + ".running_var", channels);
        double[][] out = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            double std = Math.sqrt(var[c] + EPS);
            out[0][c] = gamma[c] / std;
            out[1][c] = beta[c] - mean[c] * gamma[c] / std;
        }
        return out;
    }

    private static double[] vector(StateDict sd, String key, int n) {
        Tensor t = require(sd, key);
        if (!Arrays.equals(t.shape(), new long[] {n})) {
            throw new IllegalArgumentException(key + ": shape " + t.shapeString() + ", expected [" + n + "]");
        }
        float[] f = t.toFloatArray();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static Tensor require(StateDict sd, String key) {
        Tensor t = sd.get(key);
        if (t == null) {
            throw new IllegalArgumentException(key + ": missing");
        }
        return t;
    }

    // ---------------------------------------------------------------------------------------------
    // Layout

    /**
     * One RepVGG block: its key ({@code stage0}, {@code stage2.3}), stage and position, channels, stride
     * and groups.
     */
    record Unit(String name, int stage, int index, int in, int out, int stride, int groups) {
        /** The identity branch exists where the block keeps its channels at stride 1. */
        boolean identity() {
            return in == out && stride == 1;
        }
    }

    /** The blocks of a configuration in order, as the original's {@code _make_stage} lays them out. */
    static List<Unit> units(Config c) {
        int[] blocks = {c.blocks1(), c.blocks2(), c.blocks3(), c.blocks4()};
        double[] widths = {c.width1(), c.width2(), c.width3(), c.width4()};
        List<Unit> units = new ArrayList<>();
        int inPlanes = Math.min(64, (int) (64 * widths[0]));
        units.add(new Unit("stage0", 0, 0, 3, inPlanes, 1, 1));
        int layer = 1;
        for (int s = 0; s < 4; s++) {
            int planes = (int) (BASE_CHANNELS[s] * widths[s]);
            for (int i = 0; i < blocks[s]; i++) {
                int groups = layer % 2 == 0 && layer <= LAST_GROUPWISE_LAYER ? c.groups() : 1;
                units.add(new Unit("stage" + (s + 1) + "." + i, s + 1, i, inPlanes, planes, i == 0 ? 2 : 1, groups));
                inPlanes = planes;
                layer++;
            }
        }
        return units;
    }
}
