package io.facex.backbone.ghostnet;

import io.facex.api.InvalidConfigException;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The backbone contract at width 0.25, 32×32 faces and 16 features, FaceX-Zoo's numbers at width 1.0 (parameter
 * count, golden forward), and weights and outputs FaceX-Zoo's own GhostNet produced at width 0.25
 * (with its output layer sized for 240 channels, as this port sizes it: see {@link GhostNet}).
 */
class GhostNetTest extends BackboneContract<GhostNet.Config> {

    private final GhostNet net = new GhostNet();

    GhostNetTest() {
        super(new GhostNet());
    }

    /** Width 0.25 on 32×32 faces (a 2×2 last map): a training step of 4 faces stays well under a second. */
    @Override
    protected GhostNet.Config testConfig() {
        return new GhostNet.Config(0.25, 0.2, 2, 2, 16);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 26_759_364;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(3.465598e+00, 2.004064e+01, -3.941628e-01, 4.056159e-01, 7.011463e-01);
    }

    /** GhostNet(width=0.25, feat_dim=16), seed 0, BN affine and running stats made non-trivial. */
    @Override
    protected Fixture faceXZooFixture() {
        return new Fixture("ghostnet_w025.pt", "ghostnet_w025_io.npz");
    }

    @Override
    protected GhostNet.Config fixtureConfig() {
        return new GhostNet.Config(0.25, 0.2, 7, 7, 16);
    }

    @Test
    void bindsFaceXZoosSection() throws IOException {
        GhostNet.Config c = Configs.bind(net,
                ConfigDocument.read(Path.of("../../platform-core/src/test/resources/facexzoo/backbone_conf.yaml")), "GhostNet");
        assertEquals(net.defaultConfig(), c);
        assertEquals(new GhostNet.Config(1.0, 0.2, 7, 7, 512), c);
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(520, 24_994, List.of(
                "conv_stem.weight",
                "bn1.running_var",
                "blocks.0.0.ghost1.primary_conv.0.weight",
                "blocks.0.0.ghost1.cheap_operation.1.bias",
                "blocks.1.0.conv_dw.weight",
                "blocks.1.0.bn_dw.running_mean",
                "blocks.1.0.shortcut.3.weight",
                "blocks.3.0.se.conv_reduce.bias",
                "blocks.6.3.shortcut.2.weight",
                "blocks.8.3.se.conv_expand.weight",
                "blocks.9.0.conv.weight",
                "blocks.9.0.bn1.weight",
                "output_layer.0.running_var",
                "output_layer.3.weight",
                "output_layer.4.bias"),
                List.of());
    }

    @Test
    void makeDivisibleIsFaceXZoos() {
        assertEquals(16, GhostNet.makeDivisible(16, 4));
        assertEquals(20, GhostNet.makeDivisible(72 * 0.25, 4)); // 18 rounds half up
        assertEquals(4, GhostNet.makeDivisible(16 * 0.25 * 0.25, 4)); // never below the divisor
        assertEquals(168, GhostNet.makeDivisible(672 * 0.25, 4));
        assertEquals(240, GhostNet.makeDivisible(960 * 0.25, 4));
        assertEquals(16, GhostNet.makeDivisible(10.5, 8)); // 8 would lose more than 10 % of 10.5
    }

    @Test
    void rejectsBadConfig() {
        assertEquals("width", assertThrows(InvalidConfigException.class,
                () -> net.validate(new GhostNet.Config(0, 0.2, 7, 7, 512))).key());
        assertEquals("drop_ratio", assertThrows(InvalidConfigException.class,
                () -> net.validate(new GhostNet.Config(1, 1, 7, 7, 512))).key());
        assertEquals("out_h", assertThrows(InvalidConfigException.class,
                () -> net.validate(new GhostNet.Config(1, 0.2, 8, 7, 512))).key());
        assertEquals("out_w", assertThrows(InvalidConfigException.class,
                () -> net.validate(new GhostNet.Config(1, 0.2, 7, 0, 512))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> net.validate(new GhostNet.Config(1, 0.2, 7, 7, 0))).key());
    }
}
