package io.facex.backbone.mobilefacenet;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.facex.api.InvalidConfigException;
import io.facex.nn.TorchNames;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backbone contract (at 128 features), FaceX-Zoo's numbers at the defaults (parameter count, golden
 * forward, its own checkpoint and outputs, shared with the weights module's tests), and its key names.
 */
class MobileFaceNetTest extends BackboneContract<MobileFaceNet.Config> {

    private final MobileFaceNet net = new MobileFaceNet();

    MobileFaceNetTest() {
        super(new MobileFaceNet());
    }

    @Override
    protected MobileFaceNet.Config testConfig() {
        return new MobileFaceNet.Config(128, 7, 7);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 1_200_512;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(4.745899e+02, 6.656826e+02, -2.438364e+01, 4.688031e+01, 7.282474e+00);
    }

    @Override
    protected Fixture faceXZooFixture() {
        return new Fixture("facexzoo_mobilefacenet_mv_epoch0.pt", "mobilefacenet_io.npz");
    }

    @Override
    protected MobileFaceNet.Config fixtureConfig() {
        return net.defaultConfig();
    }

    @Test
    void parameterCountAndKeysMatchFaceXZoo() {
        Block block = net.build(net.defaultConfig());
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            long trainable = 0;
            long buffers = 0;
            List<String> keys = new ArrayList<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                long n = p.getValue().getArray().size();
                if (p.getValue().requiresGradient()) {
                    trainable += n;
                } else {
                    buffers += n;
                }
                keys.add(TorchNames.toTorch(p.getKey()));
            }
            // spec §1.0: 1,200,512 parameters, 20,402 buffer elements (of which 1 per BN is
            // num_batches_tracked, which DJL does not keep: 333 keys = 244 here + 89 BatchNorms)
            assertEquals(1_200_512, trainable);
            long batchNorms = keys.stream().filter(k -> k.endsWith("running_mean")).count();
            assertEquals(20_402, buffers + batchNorms);
            assertEquals(333, keys.size() + batchNorms);
            assertTrue(keys.contains("conv1.conv.weight"), keys.toString());
            assertTrue(keys.contains("conv_3.model.0.conv_dw.prelu.weight"), keys.toString());
            assertTrue(keys.contains("conv_6_dw.bn.running_var"), keys.toString());
            assertTrue(keys.contains("linear.weight") && keys.contains("bn.bias"), keys.toString());
        }
    }

    @Test
    void rejectsBadConfig() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> net.validate(new MobileFaceNet.Config(0, 7, 7)));
        assertEquals("feat_dim", e.key());
    }
}
