package io.facex.backbone.attentionnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.InvalidConfigException;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The backbone contract on 16×16 faces (out 1×1, 64 features: the widths are fixed, so the input is
 * what shrinks; no stage-3 module, whose 17M parameters the golden forward exercises), and FaceX-Zoo's numbers at the defaults: parameter count, state-dict keys and the
 * golden forward. There is no full-size FaceX-Zoo weight fixture (the low-rank checkpoint below checks the import instead): with fixed widths even the smallest
 * configuration the original accepts has tens of millions of parameters, so the golden forward, which
 * fills every tensor from its FaceX-Zoo key, is the proof of parity.
 */
class AttentionNetTest extends BackboneContract<AttentionNet.Config> {

    private final AttentionNet net = new AttentionNet();

    AttentionNetTest() {
        super(new AttentionNet());
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
        return new Fixture("facexzoo_attentionnet_const.pt", "facexzoo_attentionnet_const_io.npz");
    }

    @Override
    protected AttentionNet.Config fixtureConfig() {
        return net.defaultConfig();
    }

    @Override
    protected AttentionNet.Config testConfig() {
        return new AttentionNet.Config(1, 1, 0, 64, 1, 1);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 98_964_672;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(-1.781750e+01, 4.477617e+01, -3.866476e-01, -1.490377e+00, -1.854907e+00);
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(675, 69_739, List.of(
                "conv1.0.weight",
                "conv1.1.running_var",
                "attention_body.0.conv4.weight",
                "attention_body.1.first_residual_blocks.bn1.weight",
                "attention_body.1.trunk_branches.1.conv2.weight",
                "attention_body.1.skip2_connection_residual_block.conv3.weight",
                "attention_body.1.softmax3_blocks.1.bn3.running_mean",
                "attention_body.1.softmax6_blocks.5.weight",
                "attention_body.3.softmax4_blocks.3.bias",
                "attention_body.3.skip1_connection_residual_block.conv4.weight",
                "attention_body.5.softmax1_blocks.0.conv1.weight",
                "attention_body.5.softmax2_blocks.0.running_var",
                "attention_body.5.last_blocks.conv4.weight",
                "attention_body.8.conv4.weight",
                "output_layer.1.weight",
                "output_layer.2.running_var"),
                List.of(
                "output_layer.1.bias"));
    }

    @Test
    void bindsFaceXZoosYamlSection() {
        ConfigDocument doc = ConfigDocument.read(Path.of("../../platform-core/src/test/resources/facexzoo/backbone_conf.yaml"));
        assertEquals(net.defaultConfig(), Configs.bind(net, doc, "AttentionNet"));
    }

    @Test
    void presetsAreAttention56And92() {
        assertEquals(net.defaultConfig(), net.presets().get("Attention-56"));
        assertEquals(new AttentionNet.Config(1, 2, 3, 512, 7, 7), net.presets().get("Attention-92"));
        net.presets().values().forEach(net::validate);
    }

    @Test
    void rejectsBadConfig() {
        assertEquals("stage2_modules", assertThrows(InvalidConfigException.class,
                () -> net.validate(new AttentionNet.Config(1, -1, 1, 512, 7, 7))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> net.validate(new AttentionNet.Config(1, 1, 1, 0, 7, 7))).key());
        assertEquals("out_w", assertThrows(InvalidConfigException.class,
                () -> net.validate(new AttentionNet.Config(1, 1, 1, 512, 7, 0))).key());
    }

    /**
     * The upper-face crop's 60 rows (by 16 columns, to stay cheap) run through every hourglass, whose map
     * sizes are then odd (30, 15, 8, 4).
     */
    @Test
    void upperFaceInputGivesOneEmbedding() {
        AttentionNet.Config c = new AttentionNet.Config(1, 1, 1, 32, 4, 1);
        assertEquals(new Shape(3, 60, 16), net.inputShape(c));
        Block block = net.build(c);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(1).addAll(net.inputShape(c));
            block.initialize(m, DataType.FLOAT32, in);
            assertEquals(new Shape(1, 32), embed(block, m, m.randomNormal(in)).getShape());
        }
    }

    /** align_corners=True: the corners are copied, inner points interpolate at d·(in−1)/(out−1). */
    @Test
    void upsamplingAlignsCorners() {
        AlignedBilinear up = new AlignedBilinear();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));
            // (2, 2) → (3, 3): rows and columns at 0, 0.5, 1
            assertArrayEquals(new float[] {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3},
                    up.resize(x, 3, 3).toFloatArray(), 1e-6f);
            NDArray y = m.create(new float[] {0, 10, 20}, new Shape(1, 1, 1, 3));
            // width 3 → 5 samples at 0, 0.5, 1, 1.5, 2; height 1 → 2 repeats the row
            assertArrayEquals(new float[] {0, 5, 10, 15, 20, 0, 5, 10, 15, 20},
                    up.resize(y, 2, 5).toFloatArray(), 1e-6f);
        }
    }
}
