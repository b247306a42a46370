package io.facex.backbone.tfnas;

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
 * The backbone contract on 32-pixel faces (a 2×2 final map, 32 features), FaceX-Zoo's numbers at the
 * defaults (parameter count, golden forward) and its key names. No FaceX-Zoo weights fixture: TF-NAS-A's
 * widths are fixed, and without the output layer its state dict still holds 7.5M values (30 MB).
 */
class TfNasTest extends BackboneContract<TfNas.Config> {

    private final TfNas net = new TfNas();

    TfNasTest() {
        super(new TfNas());
    }

    /**
     * FaceX-Zoo's own checkpoint of the default network, saved by its code with each weight tensor a
     * stride-0 view of one value per output channel (a {@code torch.save} file of under a megabyte
     * instead of hundreds), and FaceX-Zoo's outputs with it. Such weights are nearly rank one, so the
     * numbers are the golden forward's job; this proves the checkpoint's keys, shapes and strided storages
     * go through the safe import into the default configuration and give FaceX-Zoo's outputs.
     */
    @Override
    protected Fixture faceXZooFixture() {
        return new Fixture("facexzoo_tfnas_const.pt", "facexzoo_tfnas_const_io.npz");
    }

    @Override
    protected TfNas.Config fixtureConfig() {
        return net.defaultConfig();
    }

    @Override
    protected TfNas.Config testConfig() {
        return new TfNas.Config(32, 0.2, 2, 2);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 39_590_703;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(-3.066550e-01, 3.484153e+00, -1.995834e-01, 2.416529e-02, -1.686814e-01);
    }

    @Test
    void bindsFaceXZoosYamlSection() throws IOException {
        ConfigDocument doc = ConfigDocument.read(Path.of("../../platform-core/src/test/resources/facexzoo/backbone_conf.yaml"));
        assertEquals(net.defaultConfig(), Configs.bind(net, doc, "TF-NAS"));
        assertEquals(new TfNas.Config(512, 0.2, 7, 7), net.defaultConfig());
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(399, 51_555, List.of(
                "first_stem.conv.weight",
                "first_stem.bn.running_var",
                "second_stem.depth_conv.conv.weight",
                "second_stem.squeeze_excite.conv_reduce.bias",
                "stage1.0.inverted_bottleneck.bn.weight",
                "stage5.3.squeeze_excite.conv_expand.weight",
                "stage6.0.point_linear.bn.running_mean",
                "feature_mix_layer.conv.weight",
                "output_layer.2.weight",
                "output_layer.2.bias",
                "output_layer.3.running_var"),
                List.of(
                "second_stem.inverted_bottleneck.conv.weight",
                "stage1.1.squeeze_excite.conv_reduce.weight"));
    }

    @Test
    void rejectsBadConfig() {
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> net.validate(new TfNas.Config(0, 0.2, 7, 7))).key());
        assertEquals("drop_ratio", assertThrows(InvalidConfigException.class,
                () -> net.validate(new TfNas.Config(512, -0.1, 7, 7))).key());
        assertEquals("out_h", assertThrows(InvalidConfigException.class,
                () -> net.validate(new TfNas.Config(512, 0.2, 8, 7))).key());
        assertEquals("out_w", assertThrows(InvalidConfigException.class,
                () -> net.validate(new TfNas.Config(512, 0.2, 7, 0))).key());
    }
}
