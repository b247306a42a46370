package io.facex.backbone.mobilefacenet;

import io.facex.api.InvalidConfigException;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(333, 20_402, List.of(
                "conv1.conv.weight",
                "conv_3.model.0.conv_dw.prelu.weight",
                "conv_6_dw.bn.running_var",
                "linear.weight",
                "bn.bias"),
                List.of());
    }

    @Test
    void rejectsBadConfig() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> net.validate(new MobileFaceNet.Config(0, 7, 7)));
        assertEquals("feat_dim", e.key());
    }
}
