package io.facex.backbone.rexnet;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.facex.api.InvalidConfigException;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.nn.TorchNames;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The backbone contract at width 0.25, depth 0.5, SE off, 32×32 faces and 16 features; FaceX-Zoo's
 * numbers at the defaults (parameter count with SE off and on, golden forward); weights and outputs
 * FaceX-Zoo's own ReXNetV1 produced at width 0.25, depth 0.5 with SE (its output layer sized for the 128
 * channels, as this port sizes it: see {@link ReXNet}).
 */
class ReXNetTest extends BackboneContract<ReXNet.Config> {

    private final ReXNet net = new ReXNet();

    ReXNetTest() {
        super(new ReXNet());
    }

    /**
     * The SE form, reduced, on 32×32 faces (a 2×2 last map): a training step of 4 faces stays well under a
     * second. (Its NaN losses here were DJL's Swish reading a freed scalar in backward, fixed in
     * {@code Torch.swish}.)
     */
    @Override
    protected ReXNet.Config testConfig() {
        return new ReXNet.Config(16, 180, 0.25, 0.5, 1, 12, 2, 2, 16, 0.2);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 15_197_128;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(-5.529281e-02, 3.961330e+00, 3.661042e-01, 3.710848e-01, -1.599757e-01);
    }

    /** ReXNetV1(width_mult=0.25, depth_mult=0.5, use_se=True, feat_dim=16), seed 0, BN made non-trivial. */
    @Override
    protected Fixture faceXZooFixture() {
        return new Fixture("rexnet_w025_d05_se.pt", "rexnet_w025_d05_se_io.npz");
    }

    @Override
    protected ReXNet.Config fixtureConfig() {
        return new ReXNet.Config(16, 180, 0.25, 0.5, 1, 12, 7, 7, 16, 0.2);
    }

    @Test
    void bindsFaceXZoosSection() throws IOException {
        ReXNet.Config c = Configs.bind(net,
                ConfigDocument.read(Path.of("../../platform-core/src/test/resources/facexzoo/backbone_conf.yaml")), "ReXNet");
        assertEquals(net.defaultConfig(), c);
        assertEquals(new ReXNet.Config(16, 180, 1.0, 1.0, 0, 12, 7, 7, 512, 0.2), c);
    }

    /** Spec §1.9's table, which Python's round (half to even) produced. */
    @Test
    void channelPlanIsFaceXZoos() {
        int[] in = {32, 16, 27, 38, 50, 61, 72, 84, 95, 106, 117, 128, 140, 151, 162, 174};
        int[] out = {16, 27, 38, 50, 61, 72, 84, 95, 106, 117, 128, 140, 151, 162, 174, 185};
        int[] stride = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1};
        List<ReXNet.Plan> plan = ReXNet.plan(net.defaultConfig());
        assertEquals(16, plan.size());
        for (int i = 0; i < 16; i++) {
            assertEquals(new ReXNet.Plan(in[i], out[i], i == 0 ? 1 : 6, stride[i], false), plan.get(i), "block " + i);
        }
        assertEquals(2, ReXNet.pythonRound(2.5));
        assertEquals(4, ReXNet.pythonRound(3.5));
    }

    @Test
    void withSqueezeExciteTheCountIsFaceXZoos() {
        ReXNet.Config se = new ReXNet.Config(16, 180, 1.0, 1.0, 1, 12, 7, 7, 512, 0.2);
        assertEquals(16_219_873, stats(se).trainable());
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(306, 40_567, List.of(
                "features.0.weight",
                "features.1.running_var",
                "features.3.out.0.weight",
                "features.3.out.4.bias",
                "features.4.out.0.weight",
                "features.4.out.7.running_mean",
                "features.18.out.3.weight",
                "features.19.weight",
                "features.20.running_var",
                "output_layer.0.weight",
                "output_layer.3.weight",
                "output_layer.3.bias",
                "output_layer.4.running_mean"),
                List.of());
    }

    private record Stats(long trainable, long buffers, long batchNorms, List<String> keys) {
    }

    private Stats stats(ReXNet.Config c) {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = net.build(c);
            block.initialize(m, DataType.FLOAT32, new Shape(1).addAll(net.inputShape(c)));
            long trainable = 0;
            long buffers = 0;
            List<String> keys = new ArrayList<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    trainable += p.getValue().getArray().size();
                } else {
                    buffers += p.getValue().getArray().size();
                }
                keys.add(TorchNames.toTorch(p.getKey()));
            }
            return new Stats(trainable, buffers, keys.stream().filter(k -> k.endsWith("running_mean")).count(), keys);
        }
    }

    @Test
    void rejectsBadConfig() {
        ReXNet.Config d = net.defaultConfig();
        List<Pair<String, ReXNet.Config>> bad = List.of(
                new Pair<>("input_ch", new ReXNet.Config(0, 180, 1, 1, 0, 12, 7, 7, 512, 0.2)),
                new Pair<>("final_ch", new ReXNet.Config(16, -1, 1, 1, 0, 12, 7, 7, 512, 0.2)),
                new Pair<>("width_mult", new ReXNet.Config(16, 180, 0, 1, 0, 12, 7, 7, 512, 0.2)),
                new Pair<>("width_mult", new ReXNet.Config(16, 180, 0.001, 1, 0, 12, 7, 7, 512, 0.2)),
                new Pair<>("depth_mult", new ReXNet.Config(16, 180, 1, -1, 0, 12, 7, 7, 512, 0.2)),
                new Pair<>("use_se", new ReXNet.Config(16, 180, 1, 1, 2, 12, 7, 7, 512, 0.2)),
                new Pair<>("se_ratio", new ReXNet.Config(16, 180, 1, 1, 0, 0, 7, 7, 512, 0.2)),
                new Pair<>("se_ratio", new ReXNet.Config(16, 180, 1, 1, 1, 1000, 7, 7, 512, 0.2)),
                new Pair<>("out_h", new ReXNet.Config(16, 180, 1, 1, 0, 12, 8, 7, 512, 0.2)),
                new Pair<>("out_w", new ReXNet.Config(16, 180, 1, 1, 0, 12, 7, 0, 512, 0.2)),
                new Pair<>("feat_dim", new ReXNet.Config(16, 180, 1, 1, 0, 12, 7, 7, 0, 0.2)),
                new Pair<>("dropout_ratio", new ReXNet.Config(16, 180, 1, 1, 0, 12, 7, 7, 512, 1.0)));
        for (Pair<String, ReXNet.Config> b : bad) {
            assertEquals(b.getKey(), assertThrows(InvalidConfigException.class, () -> net.validate(b.getValue()),
                    b.getValue().toString()).key());
        }
        net.validate(d);
        // a large se_ratio is fine while SE is off, as in FaceX-Zoo
        net.validate(new ReXNet.Config(16, 180, 1, 1, 0, 1000, 7, 7, 512, 0.2));
    }
}
