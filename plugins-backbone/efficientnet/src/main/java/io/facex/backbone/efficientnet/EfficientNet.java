package io.facex.backbone.efficientnet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;
import io.facex.nn.ChannelsLast;
import io.facex.nn.OutputLayer;
import io.facex.nn.Sequence;
import io.facex.nn.Torch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * EfficientNet (Tan &amp; Le, 2019) as FaceX-Zoo builds it ({@code backbone/EfficientNets.py}, after
 * lukemelas/EfficientNet-PyTorch): the B0 block list scaled by width and depth, a stride-1 stem, and
 * FaceX-Zoo's output layer. 37,405,284 parameters at the default configuration. Children carry the
 * original's attribute names ({@code _conv_stem}, {@code _blocks.<i>._se_reduce}, {@code _fc}, ...), so
 * parameters map one-to-one onto its state-dict keys.
 *
 * <p>FaceX-Zoo's quirks, kept so its checkpoints load and embed the same:
 * <ul>
 *   <li><b>Static "same" paddings.</b> Every convolution pads with zeros, ⌊total/2⌋ before and the rest
 *       after, total = max((⌈n/s⌉−1)·s + k − n, 0), where n is a size computed once from
 *       {@code image_size}, not the real feature map: the code halves it after the stem as if the stem
 *       had stride 2 (it has stride 1). So at 112 pixels block 11 (5×5, stride 2) pads 2 on every side,
 *       not TF-SAME's 1 and 2; see {@link #build}.</li>
 *   <li><b>A dead classifier.</b> {@code _fc} = Linear(head width → 1000) is never used by the forward
 *       pass, but is in the state dict and in the parameter count (1,281,000 at the default). It gets no
 *       gradient; our SGD then sees a zero gradient where PyTorch's skips the tensor, so with weight
 *       decay it shrinks here and not there, which changes no embedding.</li>
 *   <li><b>BatchNorm eps 1e-3 and momentum 0.01</b> (TensorFlow's 0.99 turned around) in the stem,
 *       blocks and head, from the global params; the output layer's BatchNorms keep PyTorch's
 *       defaults.</li>
 *   <li><b>Swish</b> ({@code x·σ(x)}) everywhere, including inside squeeze-and-excitation, whose
 *       squeezed width is ⌊0.25 · block input⌋ (not of the expanded width), with biased 1×1 convs.</li>
 *   <li><b>Skips only on repeats.</b> The first block of each stage has its stride stored as a list, so
 *       the original's {@code stride == 1} test fails and it never adds its input, even where the shapes
 *       would allow it (width 0.25 makes stage 0 8→8). Repeats add their input after drop-connect, whose
 *       rate is 0.2·index/number of blocks, in training only.</li>
 *   <li><b>Hard-coded 1280.</b> The original sizes its output layer for 1280 channels, BatchNorm2d(1280) and
 *       Linear(1280·out_h·out_w), while the head has round_filters(1280) channels; the two agree at every
 *       width FaceX-Zoo's code can run (≈1.0, B0 and B1). Elsewhere the original fails on its first
 *       forward; here the output layer takes the head's width, so the wider presets build.</li>
 * </ul>
 */
public final class EfficientNet extends AbstractPlugin<EfficientNet.Config> implements Backbone<EfficientNet.Config> {

    /**
     * FaceX-Zoo's {@code backbone_conf.yaml} section.
     *
     * @param width     width coefficient: channels ×width, rounded to multiples of 8
     * @param depth     depth coefficient: each stage's repeats ×depth, rounded up
     * @param imageSize the input size the static paddings are computed for
     * @param dropRatio dropout before the output layer's Linear
     * @param outH      height of the last feature map (7 for 112×112 faces)
     * @param outW      its width
     * @param featDim   embedding size
     */
    public record Config(double width, double depth, int imageSize, double dropRatio, int outH, int outW, int featDim) {
    }

    /** TensorFlow's 0.99, as PyTorch's momentum. */
    static final double BN_MOMENTUM = 1 - 0.99;
    static final double BN_EPS = 1e-3;
    static final double DROP_CONNECT = 0.2;
    static final int CLASSES = 1000;

    /** EfficientNet-B0's stages: repeats, kernel, stride, expansion, input and output channels (SE ratio 0.25). */
    private static final int[][] STAGES = {
            {1, 3, 1, 1, 32, 16},
            {2, 3, 2, 6, 16, 24},
            {2, 5, 2, 6, 24, 40},
            {3, 3, 2, 6, 40, 80},
            {3, 5, 1, 6, 80, 112},
            {4, 5, 2, 6, 112, 192},
            {1, 3, 1, 6, 192, 320},
    };

    private static final Map<String, Config> PRESETS;

    static {
        // FaceX-Zoo's efficientnet_params (resolution changed to 112): width, depth, dropout.
        Map<String, Config> p = new LinkedHashMap<>();
        double[][] wdp = {{1.0, 1.0, 0.2}, {1.0, 1.1, 0.2}, {1.1, 1.2, 0.3}, {1.2, 1.4, 0.3}, {1.4, 1.8, 0.4},
                {1.6, 2.2, 0.4}, {1.8, 2.6, 0.5}, {2.0, 3.1, 0.5}, {2.2, 3.6, 0.5}};
        for (int i = 0; i < wdp.length; i++) {
            p.put("EfficientNet-B" + i, new Config(wdp[i][0], wdp[i][1], 112, wdp[i][2], 7, 7, 512));
        }
        p.put("EfficientNet-L2", new Config(4.3, 5.3, 112, 0.5, 7, 7, 512));
        PRESETS = Collections.unmodifiableMap(p);
    }

    public EfficientNet() {
        super("EfficientNet", "EfficientNet-B0 blocks scaled by width and depth (Tan & Le 2019), stride-1 stem, 37.4M params",
                Config.class, new Config(1.0, 1.0, 112, 0.2, 7, 7, 512));
    }

    /** EfficientNet-B0 … B8 and L2 with FaceX-Zoo's coefficients (all at 112 pixels). */
    @Override
    public Map<String, Config> presets() {
        return PRESETS;
    }

    @Override
    public void validate(Config c) {
        if (!(c.width() > 0) || c.width() > 16) {
            throw new InvalidConfigException("width", "must be in (0, 16], got " + c.width());
        }
        if (!(c.depth() > 0) || c.depth() > 16) {
            throw new InvalidConfigException("depth", "must be in (0, 16], got " + c.depth());
        }
        if (c.imageSize() <= 0) {
            throw new InvalidConfigException("image_size", "must be positive, got " + c.imageSize());
        }
        if (!(c.dropRatio() >= 0 && c.dropRatio() < 1)) {
            throw new InvalidConfigException("drop_ratio", "must be in [0, 1), got " + c.dropRatio());
        }
        if (c.featDim() <= 0) {
            throw new InvalidConfigException("feat_dim", "must be positive, got " + c.featDim());
        }
        checkMap("out_h", c.outH(), inputSize(c.outH()), c.imageSize());
        checkMap("out_w", c.outW(), inputSize(c.outW()), c.imageSize());
    }

    private static void checkMap(String key, int out, int input, int imageSize) {
        if (out <= 0) {
            throw new InvalidConfigException(key, "must be positive, got " + out);
        }
        int got = mapSize(input, imageSize);
        if (got != out) {
            throw new InvalidConfigException(key, "a " + input + "-pixel input with image_size " + imageSize
                    + " ends in a map of " + got + ", not " + out);
        }
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    /** Four stride-2 blocks: 16 pixels per output row, FaceX-Zoo's 60-row upper-face crops give 4. */
    @Override
    public Shape inputShape(Config c) {
        return new Shape(3, inputSize(c.outH()), inputSize(c.outW()));
    }

    private static int inputSize(int out) {
        return out == 4 ? 60 : 16 * out;
    }

    @Override
    public Block build(Config c) {
        validate(c);
        int stem = roundFilters(32, c.width());
        // The size the static paddings are computed from: halved after the stride-1 stem (the quirk).
        int tracked = ceilDiv(c.imageSize(), 2);
        int total = 0;
        for (int[] s : STAGES) {
            total += roundRepeats(s[0], c.depth());
        }
        Sequence blocks = new Sequence();
        int index = 0;
        for (int[] s : STAGES) {
            int repeats = roundRepeats(s[0], c.depth());
            int kernel = s[1];
            int stride = s[2];
            int expand = s[3];
            int out = roundFilters(s[5], c.width());
            int in = roundFilters(s[4], c.width());
            blocks.add(Integer.toString(index), mbConv(in, out, kernel, stride, expand, tracked, false, 0));
            index++;
            tracked = ceilDiv(tracked, stride);
            for (int r = 1; r < repeats; r++) {
                blocks.add(Integer.toString(index), mbConv(out, out, kernel, 1, expand, tracked, true,
                        DROP_CONNECT * ((double) index / total)));
                index++;
            }
        }
        int head = roundFilters(1280, c.width());
        return new Sequence()
                .add("channels_last", new ChannelsLast())
                .add("_conv_stem", samePadConv(stem, 3, 1, 1, c.imageSize()))
                .add("_bn0", Torch.batchNorm(BN_EPS, BN_MOMENTUM))
                .add("swish", Torch.swish())
                .add("_blocks", blocks)
                .add("_conv_head", Torch.conv(head, 1, 1, 0, 1, false))
                .add("_bn1", Torch.batchNorm(BN_EPS, BN_MOMENTUM))
                .add("swish", Torch.swish())
                .add("_fc", new UnusedLinear(head, CLASSES))
                .add("output_layer", OutputLayer.builder().batchNorm2d(true).dropout(c.dropRatio()).features(c.featDim()).build());
    }

    private static Block mbConv(int in, int out, int kernel, int stride, int expand, int tracked, boolean repeat,
            double dropConnect) {
        return new MBConvBlock(in, out, kernel, stride, expand, samePadding(tracked, kernel, stride), repeat, dropConnect);
    }

    /** A k×k conv with the original's static padding for {@code size}. */
    private static Block samePadConv(int out, int kernel, int stride, int groups, int size) {
        int[] pad = samePadding(size, kernel, stride);
        if (pad[0] == pad[1]) {
            return Torch.conv(out, kernel, stride, pad[0], groups, false);
        }
        throw new IllegalStateException("the stem's padding is symmetric for a stride-1 3×3 conv");
    }

    /** (before, after) zero padding of Conv2dStaticSamePadding for an input of {@code n}. */
    static int[] samePadding(int n, int kernel, int stride) {
        int total = Math.max((ceilDiv(n, stride) - 1) * stride + kernel - n, 0);
        return new int[] {total / 2, total - total / 2};
    }

    /** The map size a {@code input}-pixel side ends in, through the stride-2 blocks' static paddings. */
    static int mapSize(int input, int imageSize) {
        int n = input;
        int tracked = ceilDiv(imageSize, 2);
        for (int[] s : STAGES) {
            int kernel = s[1];
            int stride = s[2];
            int[] pad = samePadding(tracked, kernel, stride);
            n = (n + pad[0] + pad[1] - kernel) / stride + 1;
            if (n <= 0) {
                return 0;
            }
            tracked = ceilDiv(tracked, stride);
        }
        return n;
    }

    /** The original's round_filters: ×width, to the nearest multiple of 8 (at least 8), never 10% below. */
    static int roundFilters(int filters, double width) {
        double f = filters * width;
        int rounded = Math.max(8, (int) (f + 4) / 8 * 8);
        if (rounded < 0.9 * f) {
            rounded += 8;
        }
        return rounded;
    }

    /** The original's round_repeats: ⌈depth · repeats⌉. */
    static int roundRepeats(int repeats, double depth) {
        return (int) Math.ceil(depth * repeats);
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
