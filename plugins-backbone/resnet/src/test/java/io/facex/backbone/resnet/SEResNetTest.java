package io.facex.backbone.resnet;

import io.facex.api.InvalidConfigException;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.ConfigException;
import io.facex.core.config.Configs;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SE-ResNet is ResNet's IR-SE network under its own name: the contract on a small IR-SE-50 (2×2 last map,
 * 32×32 faces), and at its defaults FaceX-Zoo's IR-SE-152 numbers, the same as {@code ResNet:}'s.
 */
class SEResNetTest extends BackboneContract<SEResNet.Config> {

    private final SEResNet net = new SEResNet();

    SEResNetTest() {
        super(new SEResNet());
    }

    @Override
    protected SEResNet.Config testConfig() {
        return new SEResNet.Config(50, 0.4, 128, 2, 2);
    }

    @Override
    protected long faceXZooParameterCount() {
        return 71_148_736;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(-6.504878e+03, 8.147863e+03, 1.194177e+02, 6.088850e+01, 3.743952e+02);
    }

    @Test
    void isResNetWithNetModeIrSe() {
        ResNet resnet = new ResNet();
        assertEquals(resnet.defaultConfig(), net.defaultConfig().asResNet());
        assertEquals(resnet.presets().get("IR-SE-50"), new SEResNet.Config(50, 0.4, 512, 7, 7).asResNet());
        assertEquals(resnet.inputShape(resnet.defaultConfig()), net.inputShape(net.defaultConfig()));
        assertEquals(128, net.featureDim(testConfig()));
    }

    /** ResNet's section without net_mode binds; net_mode itself is not a key of SE-ResNet. */
    @Test
    void sectionIsResNetsWithoutNetMode(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("backbone_conf.yaml"),
                "SE-ResNet:\n    depth: 100\n    drop_ratio: 0.4\n    feat_dim: 256\n    out_h: 7\n    out_w: 7\n");
        assertEquals(new SEResNet.Config(100, 0.4, 256, 7, 7), Configs.bind(net, ConfigDocument.read(file), "SE-ResNet"));
        Files.writeString(file, "SE-ResNet:\n    depth: 50\n    net_mode: ir\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(net, ConfigDocument.read(file), "SE-ResNet"));
        assertTrue(e.getMessage().contains(file + ":3: SE-ResNet.net_mode: unknown key for SE-ResNet"), e.getMessage());
    }

    @Test
    void checksAsResNetDoes() {
        assertEquals("depth", assertThrows(InvalidConfigException.class,
                () -> net.validate(new SEResNet.Config(34, 0.4, 512, 7, 7))).key());
        assertEquals("drop_ratio", assertThrows(InvalidConfigException.class,
                () -> net.validate(new SEResNet.Config(50, -0.1, 512, 7, 7))).key());
        assertEquals("out_h", assertThrows(InvalidConfigException.class,
                () -> net.build(new SEResNet.Config(50, 0.4, 512, 8, 7))).key());
    }
}
