package io.facex.backbone.rexnet;

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

import java.util.ArrayList;
import java.util.List;

/**
 * ReXNet (Han et al., 2021, "Rethinking Channel Dimensions") as FaceX-Zoo builds it
 * ({@code backbone/ReXNets.py}, class {@code ReXNetV1}): 15,197,128 parameters at the defaults,
 * 16,219,873 with {@code use_se: 1}. Children carry FaceX-Zoo's module names: one flat
 * {@code features} sequence (stem conv, BN, Swish at 0-2, one {@code LinearBottleneck} per index, then
 * the 1×1 conv, BN, Swish), each bottleneck's layers numbered under {@code out}, and
 * {@code output_layer.{0,3,4}}, so parameters map one-to-one onto its state-dict keys.
 *
 * <p>FaceX-Zoo's choices, kept so its checkpoints load and its outputs are reproduced:
 * <ul>
 *   <li>the stem is a stride-1 3×3 convolution (the paper's is stride 2), so a 112-pixel face reaches
 *       the output layer at 7×7 after the four strided stages;</li>
 *   <li>the channel plan grows linearly from {@code input_ch} by {@code final_ch} over the blocks and is
 *       rounded with Python's {@code round}, i.e. half to even; below width 1 the stem and
 *       {@code input_ch} are first divided by the width, so the first layers keep their full width;</li>
 *   <li>{@code use_se} is off by default and only the value 1 turns it on; the SE has a BatchNorm between
 *       its two biased 1×1 convs, {@code channels // se_ratio} hidden channels, and a sigmoid gate;</li>
 *   <li>the residual of a stride-1 block is added to the first {@code in} of its {@code out ≥ in}
 *       channels only;</li>
 *   <li>the final 1×1 conv has {@code int(512·width_mult)} channels (truncated).</li>
 * </ul>
 *
 * <p>One deliberate difference (spec §9.6): FaceX-Zoo's output layer is {@code BatchNorm2d(512)} and
 * {@code Linear(512·out_h·out_w, feat_dim)} whatever {@code width_mult}, so any width other than 1.0
 * fails at its first forward. Here both follow the final conv's real channel count: identical at width
 * 1.0 (every FaceX-Zoo checkpoint loads), and reduced widths work.
 */
public final class ReXNet extends AbstractPlugin<ReXNet.Config> implements Backbone<ReXNet.Config> {

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param inputCh      channels of the first bottleneck's output
     * @param finalCh      channels added over all the bottlenecks after the first
     * @param widthMult    channel multiplier
     * @param depthMult    block-count multiplier (each stage's count is rounded up)
     * @param useSe        1 for squeeze-excitation in stages 3-6, anything else for none
     * @param seRatio      the squeeze-excitation's reduction
     * @param outH         height of the last feature map (7 for 112×112 faces, 4 for the 60-row upper face)
     * @param outW         its width
     * @param featDim      embedding size
     * @param dropoutRatio dropout before the output layer's Linear
     */
    public record Config(int inputCh, int finalCh, double widthMult, double depthMult, int useSe, int seRatio,
                         int outH, int outW, int featDim, double dropoutRatio) {
    }

    private static final int[] LAYERS = {1, 2, 2, 3, 3, 5};
    private static final int[] STRIDES = {1, 2, 2, 2, 1, 2};
    private static final boolean[] SE = {false, false, true, true, true, true};
    private static final int STEM = 32;
    private static final int PEN = 512;

    public ReXNet() {
        super("ReXNet", "ReXNet-1.0 (Han et al. 2021): linearly growing inverted bottlenecks, Swish, partial residuals, 15.2M params",
                Config.class, new Config(16, 180, 1.0, 1.0, 0, 12, 7, 7, 512, 0.2));
    }

    @Override
    public void validate(Config c) {
        if (c.inputCh() <= 0) {
            throw new InvalidConfigException("input_ch", "must be positive, got " + c.inputCh());
        }
        if (c.finalCh() < 0) {
            throw new InvalidConfigException("final_ch", "must be 0 or more, got " + c.finalCh());
        }
        if (!(c.widthMult() > 0) || Double.isInfinite(c.widthMult())) {
            throw new InvalidConfigException("width_mult", "must be a positive number, got " + c.widthMult());
        }
        if ((int) (PEN * c.widthMult()) <= 0) {
            throw new InvalidConfigException("width_mult", "leaves int(512·width_mult) = 0 channels, got " + c.widthMult());
        }
        if (!(c.depthMult() > 0) || Double.isInfinite(c.depthMult())) {
            throw new InvalidConfigException("depth_mult", "must be a positive number, got " + c.depthMult());
        }
        if (c.useSe() != 0 && c.useSe() != 1) {
            throw new InvalidConfigException("use_se", "must be 0 or 1, got " + c.useSe());
        }
        if (c.seRatio() <= 0) {
            throw new InvalidConfigException("se_ratio", "must be positive, got " + c.seRatio());
        }
        FaceCrops.validate(c.featDim(), c.outH(), c.outW());
        if (!(c.dropoutRatio() >= 0 && c.dropoutRatio() < 1)) {
            throw new InvalidConfigException("dropout_ratio", "must be in [0, 1), got " + c.dropoutRatio());
        }
        for (Plan p : plan(c)) {
            if (p.in() <= 0 || p.out() <= 0) {
                throw new InvalidConfigException("width_mult", "gives a block of " + p.in() + "→" + p.out() + " channels");
            }
            if (p.se() && p.in() * p.t() / c.seRatio() == 0) {
                throw new InvalidConfigException("se_ratio", "leaves no channel in the squeeze-excitation of a "
                        + p.in() * p.t() + "-channel block, got " + c.seRatio());
            }
        }
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
        List<Plan> plan = plan(c);
        Sequence features = new Sequence();
        int i = 0;
        features.add(Integer.toString(i++), Torch.conv(plan.get(0).in(), 3, 1, 1, 1, false))
                .add(Integer.toString(i++), Torch.batchNorm())
                .add(Integer.toString(i++), Torch.swish());
        for (Plan p : plan) {
            features.add(Integer.toString(i++), bottleneck(p, c.seRatio()));
        }
        features.add(Integer.toString(i++), Torch.conv((int) (PEN * c.widthMult()), 1, 1, 0, 1, false))
                .add(Integer.toString(i++), Torch.batchNorm())
                .add(Integer.toString(i), Torch.swish());
        return new Sequence()
                .add("channels_last", new ChannelsLast())
                .add("features", features)
                .add("output_layer", OutputLayer.builder().batchNorm2d(true).dropout(c.dropoutRatio()).features(c.featDim()).build());
    }

    private static Block bottleneck(Plan p, int seRatio) {
        Sequence out = new Sequence();
        int i = 0;
        int dw = p.in() * p.t();
        if (p.t() != 1) {
            out.add(Integer.toString(i++), Torch.conv(dw, 1, 1, 0, 1, false))
                    .add(Integer.toString(i++), Torch.batchNorm())
                    .add(Integer.toString(i++), Torch.swish());
        }
        out.add(Integer.toString(i++), Torch.conv(dw, 3, p.stride(), 1, dw, false))
                .add(Integer.toString(i++), Torch.batchNorm());
        if (p.se()) {
            out.add(Integer.toString(i++), new SqueezeExcite(SqueezeExcite.SIGMOID).add("fc", new Sequence()
                    .add("0", Torch.conv(dw / seRatio, 1, 1, 0, 1, true))
                    .add("1", Torch.batchNorm())
                    .add("2", Torch.relu())
                    .add("3", Torch.conv(dw, 1, 1, 0, 1, true))));
        }
        out.add(Integer.toString(i++), Torch.relu6())
                .add(Integer.toString(i++), Torch.conv(p.out(), 1, 1, 0, 1, false))
                .add(Integer.toString(i), Torch.batchNorm());
        return new LinearBottleneck(out, p.stride() == 1 && p.in() <= p.out() ? p.in() : 0);
    }

    /** One bottleneck: channels in and out, expansion, stride, squeeze-excitation. */
    record Plan(int in, int out, int t, int stride, boolean se) {
    }

    /** FaceX-Zoo's channel plan, computed in the same double arithmetic and rounded as Python rounds. */
    static List<Plan> plan(Config c) {
        double w = c.widthMult();
        List<Integer> strides = new ArrayList<>();
        List<Boolean> ses = new ArrayList<>();
        List<Integer> ts = new ArrayList<>();
        for (int s = 0; s < LAYERS.length; s++) {
            int n = (int) Math.ceil(LAYERS[s] * c.depthMult());
            for (int j = 0; j < n; j++) {
                strides.add(j == 0 ? STRIDES[s] : 1);
                ses.add(c.useSe() == 1 && SE[s]);
                ts.add(s == 0 ? 1 : 6);
            }
        }
        int blocks = strides.size();
        double stem = w < 1.0 ? STEM / w : STEM;
        double inplanes = w < 1.0 ? c.inputCh() / w : c.inputCh();
        List<Plan> plan = new ArrayList<>(blocks);
        for (int i = 0; i < blocks; i++) {
            int in;
            if (i == 0) {
                in = pythonRound(stem * w);
            } else {
                in = pythonRound(inplanes * w);
                inplanes += c.finalCh() / (blocks * 1.0);
            }
            plan.add(new Plan(in, pythonRound(inplanes * w), ts.get(i), strides.get(i), ses.get(i)));
        }
        return plan;
    }

    /** Python 3's {@code int(round(x))}: halves go to the even neighbour. */
    static int pythonRound(double x) {
        return (int) Math.rint(x);
    }
}
