package io.facex.backbone.resnest;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The backbone contract on 16×16 faces (out 1×1, 64 features: the widths are fixed, so the input is
 * what shrinks), and FaceX-Zoo's numbers at the defaults: parameter count, state-dict keys and the
 * golden forward. There is no full-size FaceX-Zoo weight fixture (the low-rank checkpoint below checks the import instead): the only depth the original builds has fixed
 * widths and tens of millions of parameters, so the golden forward, which fills every tensor from its
 * FaceX-Zoo key, is the proof of parity.
 */
class ResNeStTest extends BackboneContract<ResNeSt.Config> {

    private final ResNeSt net = new ResNeSt();

    ResNeStTest() {
        super(new ResNeSt());
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
        return new Fixture("facexzoo_resnest_const.pt", "facexzoo_resnest_const_io.npz");
    }

    @Override
    protected ResNeSt.Config fixtureConfig() {
        return net.defaultConfig();
    }

    @Override
    protected ResNeSt.Config testConfig() {
        return new ResNeSt.Config(50, 0.4, 64, 1, 1);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 76_793_248;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(2.725469e-01, 1.000000e+00, -5.617759e-02, 9.383977e-03, -2.796793e-03);
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(475, 69_639, List.of(
                "input_layer.0.weight",
                "input_layer.1.running_var",
                "input_layer.2.weight",
                "body.layer1.0.conv1.weight",
                "body.layer1.0.bn1.running_mean",
                "body.layer1.0.conv2.conv.weight",
                "body.layer1.0.conv2.bn0.weight",
                "body.layer1.0.conv2.fc1.bias",
                "body.layer1.0.conv2.bn1.running_var",
                "body.layer1.0.conv2.fc2.weight",
                "body.layer1.0.conv3.weight",
                "body.layer1.0.bn3.bias",
                "body.layer1.0.downsample.1.weight",
                "body.layer1.0.downsample.2.running_mean",
                "body.layer3.5.conv2.fc2.bias",
                "body.layer4.2.bn3.weight",
                "output_layer.0.running_var",
                "output_layer.3.weight",
                "output_layer.3.bias",
                "output_layer.4.weight"),
                List.of(
                "body.layer1.1.downsample.1.weight"));
    }

    @Test
    void bindsFaceXZoosYamlSection() {
        ConfigDocument doc = ConfigDocument.read(Path.of("../../platform-core/src/test/resources/facexzoo/backbone_conf.yaml"));
        assertEquals(net.defaultConfig(), Configs.bind(net, doc, "ResNeSt"));
    }

    @Test
    void rejectsBadConfig() {
        for (int depth : new int[] {101, 200, 269, 18}) {
            assertEquals("depth", assertThrows(InvalidConfigException.class,
                    () -> net.validate(new ResNeSt.Config(depth, 0.4, 512, 7, 7))).key());
        }
        assertEquals("drop_ratio", assertThrows(InvalidConfigException.class,
                () -> net.validate(new ResNeSt.Config(50, 1.0, 512, 7, 7))).key());
        assertEquals("out_h", assertThrows(InvalidConfigException.class,
                () -> net.validate(new ResNeSt.Config(50, 0.4, 512, 0, 7))).key());
    }

    /**
     * The original's quirk, kept: embeddings have unit length. On the upper-face crop's 60 rows (by 16
     * columns, to stay cheap) the map sizes are odd, and the block's pool and its shortcut's ceil-mode
     * pool must round alike.
     */
    @Test
    void upperFaceEmbeddingsAreUnitVectors() {
        ResNeSt.Config c = new ResNeSt.Config(50, 0.4, 32, 4, 1);
        assertEquals(new Shape(3, 60, 16), net.inputShape(c));
        Block block = net.build(c);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(2).addAll(net.inputShape(c));
            block.initialize(m, DataType.FLOAT32, in);
            NDArray out = embed(block, m, m.randomNormal(in));
            assertEquals(new Shape(2, 32), out.getShape());
            float[] v = out.toFloatArray();
            for (int row = 0; row < 2; row++) {
                double sq = 0;
                for (int j = 0; j < 32; j++) {
                    sq += (double) v[row * 32 + j] * v[row * 32 + j];
                }
                assertEquals(1.0, Math.sqrt(sq), 1e-5, "row " + row);
            }
        }
    }

    /** Forward and backward through 23M parameters: four steps show the loss falling. */
    @Override
    protected int trainingSteps() {
        return 4;
    }
}
