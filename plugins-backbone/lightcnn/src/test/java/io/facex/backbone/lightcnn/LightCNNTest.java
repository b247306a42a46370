package io.facex.backbone.lightcnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.facex.api.InvalidConfigException;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backbone contract (on 64-pixel faces, 4×4 maps, 64 features, to keep the unit test fast), FaceX-Zoo's
 * numbers at the defaults (parameter count, golden forward) and its key names.
 *
 * <p>There is no full-size weights fixture (the low-rank checkpoint below checks the import instead): LightCNN has no width setting, so its convolutions alone hold 8.4M
 * parameters (34 MB) whatever the configuration; feat_dim and out_h/out_w only shrink the last Linear.
 * The golden forward (every tensor filled from its FaceX-Zoo key) checks architecture, names and
 * eval-mode layers instead.
 */
class LightCNNTest extends BackboneContract<LightCNN.Config> {

    private final LightCNN net = new LightCNN();

    LightCNNTest() {
        super(new LightCNN());
    }

    /**
     * 64-pixel faces and no dropout: the contract's few SGD steps on four faces are a test of the
     * gradient, and dropping a fifth of a 4×4 map makes four faces' loss too noisy to show it.
     */
    /**
     * FaceX-Zoo's own checkpoint of the default network, saved by its code with each weight tensor a
     * stride-0 view of one value per output channel (a {@code torch.save} file of under a megabyte
     * instead of hundreds), and FaceX-Zoo's outputs with it. Such weights are nearly rank one, so the
     * numbers are the golden forward's job; this proves the checkpoint's keys, shapes and strided storages
     * go through the safe import into the default configuration and give FaceX-Zoo's outputs.
     */
    @Override
    protected Fixture faceXZooFixture() {
        return new Fixture("facexzoo_lightcnn_const.pt", "facexzoo_lightcnn_const_io.npz");
    }

    @Override
    protected LightCNN.Config fixtureConfig() {
        return net.defaultConfig();
    }

    @Override
    protected LightCNN.Config testConfig() {
        return new LightCNN.Config(29, 4, 4, 64, 0.0);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 11_596_320;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(-2.150399e+04, 2.937500e+04, -2.596794e+02, 3.278533e+02, -5.256900e+02);
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(70, 1_282, List.of(
                "conv1.filter.weight",
                "conv1.filter.bias",
                "block1.0.conv1.filter.weight",
                "block4.3.conv2.filter.bias",
                "group1.conv_a.filter.weight",
                "group4.conv.filter.weight",
                "output_layer.0.running_var",
                "output_layer.3.weight",
                "output_layer.3.bias",
                "output_layer.4.weight"),
                List.of());
    }

    /** The mfm layer is the maximum of the two channel halves of its conv, elementwise. */
    @Test
    void maxFeatureMapTakesTheLargerHalf() {
        try (NDManager m = NDManager.newBaseManager()) {
            MaxFeatureMap mfm = new MaxFeatureMap(io.facex.nn.Torch.conv(4, 1, 1, 0, 1, true));
            mfm.initialize(m, DataType.FLOAT32, new Shape(1, 1, 1, 2));
            for (Pair<String, Parameter> p : mfm.getParameters()) {
                NDArray a = p.getValue().getArray();
                // weight (4,1,1,1) = 1, -1, 2, -2; bias = 0, 0, 0, 1
                a.set(p.getKey().endsWith("weight") ? new float[] {1, -1, 2, -2} : new float[] {0, 0, 0, 1});
            }
            NDArray x = m.create(new float[] {3, -5}, new Shape(1, 1, 1, 2));
            NDArray y = mfm.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(1, 2, 1, 2), y.getShape());
            // channel 0: max(x, 2x) ; channel 1: max(-x, -2x + 1)
            assertArrayEquals(new float[] {6, -5, -3, 11}, y.toFloatArray());
        }
    }

    @Test
    void depthNineIsRefusedWithTheReason() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> net.validate(new LightCNN.Config(9, 7, 7, 512, 0.2)));
        assertEquals("depth", e.key());
        assertTrue(e.getMessage().contains("broken in FaceX-Zoo"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> net.validate(new LightCNN.Config(18, 7, 7, 512, 0.2)));
        assertEquals("depth", e.key());
    }

    @Test
    void rejectsBadConfig() {
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> net.validate(new LightCNN.Config(29, 7, 7, 0, 0.2))).key());
        assertEquals("out_h", assertThrows(InvalidConfigException.class,
                () -> net.validate(new LightCNN.Config(29, 8, 7, 512, 0.2))).key());
        assertEquals("out_w", assertThrows(InvalidConfigException.class,
                () -> net.validate(new LightCNN.Config(29, 7, 0, 512, 0.2))).key());
        assertEquals("dropout_ratio", assertThrows(InvalidConfigException.class,
                () -> net.validate(new LightCNN.Config(29, 7, 7, 512, 1.0))).key());
    }

    @Test
    void theFaceIsSixteenTimesTheLastMap() {
        assertEquals(new Shape(3, 112, 112), net.inputShape(net.defaultConfig()));
        assertEquals(new Shape(3, 64, 48), net.inputShape(new LightCNN.Config(29, 4, 3, 512, 0.2)));
        // an upper-face crop: 60 rows pool down to 3
        assertEquals(new Shape(3, 60, 112), net.inputShape(new LightCNN.Config(29, 3, 7, 512, 0.2)));
        try (NDManager m = NDManager.newBaseManager()) {
            LightCNN.Config upper = new LightCNN.Config(29, 3, 7, 16, 0.2);
            Shape in = new Shape(1).addAll(net.inputShape(upper));
            Block block = net.build(upper);
            block.initialize(m, DataType.FLOAT32, in);
            assertEquals(new Shape(1, 16), embed(block, m, m.ones(in)).getShape());
        }
    }

    /** FaceX-Zoo's own section (training_mode/backbone_conf.yaml) binds to the defaults. */
    @Test
    void faceXZoosSectionIsTheDefault(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("backbone_conf.yaml"),
                "LightCNN:\n    depth: 29\n    out_h: 7\n    out_w: 7\n    feat_dim: 512\n    dropout_ratio: 0.2\n");
        assertEquals(net.defaultConfig(), io.facex.core.config.Configs.bind(net, io.facex.core.config.ConfigDocument.read(file), "LightCNN"));
    }
}
