package io.facex.backbone.efficientnet;

import io.facex.api.InvalidConfigException;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The backbone contract at width 0.25, depth 0.3 on 32-pixel faces (also the configuration of FaceX-Zoo's
 * fixture), FaceX-Zoo's numbers at the defaults (parameter count, golden forward), its key names and its
 * static paddings.
 */
class EfficientNetTest extends BackboneContract<EfficientNet.Config> {

    private final EfficientNet net = new EfficientNet();

    EfficientNetTest() {
        super(new EfficientNet());
    }

    @Override
    protected EfficientNet.Config testConfig() {
        return new EfficientNet.Config(0.25, 0.3, 32, 0.2, 2, 2, 16);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 37_405_284;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(3.353907e+00, 2.992325e+00, 7.053156e-02, 9.818418e-02, 2.743649e-02);
    }

    /**
     * FaceX-Zoo's EfficientNet at width 0.25, depth 0.3, image_size 32, out 2×2, 16 features (8 blocks,
     * block 0 an 8→8 stride-1 block without skip, one repeat), BatchNorms given random statistics and
     * affine values. Its output layer was rebuilt for the head's 320 channels: FaceX-Zoo's 1280 would not
     * run at this width.
     */
    @Override
    protected Fixture faceXZooFixture() {
        return new Fixture("efficientnet.pt", "efficientnet_io.npz");
    }

    @Test
    void bindsFaceXZoosYamlSection() throws IOException {
        ConfigDocument doc = ConfigDocument.read(Path.of("../../platform-core/src/test/resources/facexzoo/backbone_conf.yaml"));
        assertEquals(net.defaultConfig(), Configs.bind(net, doc, "EfficientNet"));
        assertEquals(new EfficientNet.Config(1.0, 1.0, 112, 0.2, 7, 7, 512), net.defaultConfig());
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(372, 45_651, List.of(
                "_conv_stem.weight",
                "_bn0.running_var",
                "_blocks.0._depthwise_conv.weight",
                "_blocks.0._se_reduce.bias",
                "_blocks.1._expand_conv.weight",
                "_blocks.15._bn2.weight",
                "_conv_head.weight",
                "_bn1.bias",
                "_fc.weight",
                "_fc.bias",
                "output_layer.0.running_mean",
                "output_layer.3.weight",
                "output_layer.4.bias"),
                List.of(
                "_blocks.0._expand_conv.weight",
                "_blocks.16._bn2.weight"));
    }

    /** The static paddings of spec §1.3's table, from image_size 112 halved after the stride-1 stem. */
    @Test
    void staticPaddingsAreFaceXZoos() {
        assertArrayEquals(new int[] {1, 1}, EfficientNet.samePadding(56, 3, 1));
        assertArrayEquals(new int[] {0, 1}, EfficientNet.samePadding(56, 3, 2));
        assertArrayEquals(new int[] {1, 2}, EfficientNet.samePadding(28, 5, 2));
        assertArrayEquals(new int[] {0, 1}, EfficientNet.samePadding(14, 3, 2));
        assertArrayEquals(new int[] {2, 2}, EfficientNet.samePadding(7, 5, 2));
        assertArrayEquals(new int[] {2, 2}, EfficientNet.samePadding(4, 5, 1));
        assertEquals(7, EfficientNet.mapSize(112, 112));
        assertEquals(4, EfficientNet.mapSize(60, 112));
        assertEquals(2, EfficientNet.mapSize(32, 32));
    }

    @Test
    void roundsWidthAndDepthAsTheOriginal() {
        assertEquals(8, EfficientNet.roundFilters(16, 0.25));
        assertEquals(320, EfficientNet.roundFilters(1280, 0.25));
        assertEquals(1280, EfficientNet.roundFilters(1280, 1.0));
        assertEquals(1408, EfficientNet.roundFilters(1280, 1.1));
        assertEquals(32, EfficientNet.roundFilters(40, 0.75));
        assertEquals(1, EfficientNet.roundRepeats(3, 0.3));
        assertEquals(2, EfficientNet.roundRepeats(4, 0.3));
        assertEquals(3, EfficientNet.roundRepeats(2, 1.1));
    }

    @Test
    void presetsAreFaceXZoosCoefficients() {
        assertEquals(List.of("EfficientNet-B0", "EfficientNet-B1", "EfficientNet-B2", "EfficientNet-B3", "EfficientNet-B4",
                "EfficientNet-B5", "EfficientNet-B6", "EfficientNet-B7", "EfficientNet-B8", "EfficientNet-L2"),
                List.copyOf(net.presets().keySet()));
        assertEquals(net.defaultConfig(), net.presets().get("EfficientNet-B0"));
        assertEquals(new EfficientNet.Config(1.2, 1.4, 112, 0.3, 7, 7, 512), net.presets().get("EfficientNet-B3"));
        net.presets().values().forEach(net::validate);
    }

    @Test
    void rejectsBadConfig() {
        EfficientNet.Config d = net.defaultConfig();
        assertEquals("width", assertThrows(InvalidConfigException.class,
                () -> net.validate(new EfficientNet.Config(0, 1, 112, 0.2, 7, 7, 512))).key());
        assertEquals("depth", assertThrows(InvalidConfigException.class,
                () -> net.validate(new EfficientNet.Config(1, -1, 112, 0.2, 7, 7, 512))).key());
        assertEquals("image_size", assertThrows(InvalidConfigException.class,
                () -> net.validate(new EfficientNet.Config(1, 1, 0, 0.2, 7, 7, 512))).key());
        assertEquals("drop_ratio", assertThrows(InvalidConfigException.class,
                () -> net.validate(new EfficientNet.Config(1, 1, 112, 1.0, 7, 7, 512))).key());
        assertEquals("out_h", assertThrows(InvalidConfigException.class,
                () -> net.validate(new EfficientNet.Config(1, 1, 112, 0.2, 0, 7, 512))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> net.validate(new EfficientNet.Config(1, 1, 112, 0.2, 7, 7, 0))).key());
        net.validate(d);
    }
}
