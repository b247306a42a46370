package io.facex.core.config;

import io.facex.backbone.mobilefacenet.MobileFaceNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigsTest {

    private final MobileFaceNet net = new MobileFaceNet();

    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ConfigsTest.class.getResource("/facexzoo/" + name).toURI());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void facexZooBackboneConfIsAcceptedUnchanged() throws Exception {
        ConfigDocument doc = ConfigDocument.read(resource("backbone_conf.yaml"));
        assertEquals(new MobileFaceNet.Config(512, 7, 7), Configs.bind(net, doc, "MobileFaceNet"));
        assertTrue(doc.sections().containsAll(java.util.List.of("ResNet", "HRNet", "RepVGG")), doc.sections().toString());
    }

    @Test
    void facexZooHeadConfParses() throws Exception {
        ConfigDocument doc = ConfigDocument.read(resource("head_conf.yaml"));
        assertEquals(72778, doc.root().get("MV-Softmax").get("num_class").asInt());
        assertEquals(1.12, doc.root().get("MV-Softmax").get("mv_weight").asDouble());
        assertEquals("am_softmax", doc.root().get("SST_Prototype").get("loss_type").asText());
    }

    @Test
    void missingKeysKeepDefaultsAndJsonWorksToo() throws Exception {
        Path f = write("b.json", "{\"MobileFaceNet\": {\"feat_dim\": 256}}");
        assertEquals(new MobileFaceNet.Config(256, 7, 7), Configs.bind(net, ConfigDocument.read(f), "MobileFaceNet"));
        Path empty = write("e.yaml", "MobileFaceNet:\n");
        assertEquals(net.defaultConfig(), Configs.bind(net, ConfigDocument.read(empty), "MobileFaceNet"));
    }

    /** A plugin whose configuration nests, as HRNet's EXTRA.STAGE2 ... does. */
    static final class Nested extends io.facex.api.AbstractPlugin<Nested.Config> {
        record Inner(int b) {
        }

        record Config(Inner inner, int a) {
        }

        Nested() {
            super("T", "nested", Config.class, new Config(new Inner(1), 2));
        }

        @Override
        public void validate(Config c) {
            if (c.inner().b() < 0) {
                throw new io.facex.api.InvalidConfigException("inner.b", "must not be negative, got " + c.inner().b());
            }
        }
    }

    @Test
    void nestedKeysAreLocatedAndNamedInWords() throws Exception {
        Path f = write("n.yaml", "T:\n  a: 3\n  inner:\n    b: 1\n    bb: 2\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(new Nested(), ConfigDocument.read(f), "T"));
        assertEquals(f + ":5: T.inner.bb: unknown key (did you mean 'b'?); known keys: b", e.getMessage());
        Path g = write("m.yaml", "T:\n  inner:\n    b: -1\n");
        e = assertThrows(ConfigException.class, () -> Configs.bind(new Nested(), ConfigDocument.read(g), "T"));
        assertEquals(g + ":3: T.inner.b: must not be negative, got -1", e.getMessage());
    }

    @Test
    void everyProblemOfASectionIsReportedAtOnce() throws Exception {
        Path f = write("b.yaml", "MobileFaceNet:\n  feat_dim: wide\n  outw: 7\n  out_h: 7.5\n  depht: 3\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(net, ConfigDocument.read(f), "MobileFaceNet"));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertEquals(java.util.List.of(3, 5, 2, 4), e.problems().stream().map(ConfigException::line).toList());
        assertEquals("4 problems in the configuration:\n"
                + f + ":3: MobileFaceNet.outw: unknown key for MobileFaceNet (did you mean 'out_w'?); known keys: feat_dim, out_h, out_w\n"
                + f + ":5: MobileFaceNet.depht: unknown key for MobileFaceNet; known keys: feat_dim, out_h, out_w\n"
                + f + ":2: MobileFaceNet.feat_dim: expected an integer, got 'wide'\n"
                + f + ":4: MobileFaceNet.out_h: expected an integer, got 7.5", e.getMessage());
        assertEquals(f, e.file());
        assertEquals(3, e.line(), "the first problem's line");
    }

    @Test
    void unknownKeyIsLocatedWithSuggestion() throws Exception {
        Path f = write("b.yaml", "# comment\nResNet:\n  depth: 50\nMobileFaceNet:\n    feat_dim: 512\n    outw: 7\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(net, ConfigDocument.read(f), "MobileFaceNet"));
        assertEquals(6, e.line());
        assertEquals("MobileFaceNet.outw", e.key());
        assertEquals(f + ":6: MobileFaceNet.outw: unknown key for MobileFaceNet (did you mean 'out_w'?); known keys: feat_dim, out_h, out_w",
                e.getMessage());
    }

    @Test
    void illTypedValuesNameTheExpectedType() throws Exception {
        for (String bad : new String[] {"'512'", "5.5", "[1, 2]", "true", "abc"}) {
            Path f = write("t.yaml", "MobileFaceNet:\n  out_h: 7\n  feat_dim: " + bad + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(net, ConfigDocument.read(f), "MobileFaceNet"), bad);
            assertEquals(3, e.line(), bad);
            assertEquals("MobileFaceNet.feat_dim", e.key(), bad);
            assertTrue(e.getMessage().contains("expected an integer, got"), e.getMessage());
        }
    }

    @Test
    void pluginValidationIsLocated() throws Exception {
        Path f = write("v.yaml", "MobileFaceNet:\n  out_h: 9\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(net, ConfigDocument.read(f), "MobileFaceNet"));
        assertEquals(f + ":2: MobileFaceNet.out_h: must be 1..7 (7 for 112-pixel faces), got 9", e.getMessage());
    }

    @Test
    void missingSectionListsSections() throws Exception {
        Path f = write("s.yaml", "ResNet:\n  depth: 50\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(net, ConfigDocument.read(f), "MobileFaceNet"));
        assertTrue(e.getMessage().endsWith("MobileFaceNet: no section 'MobileFaceNet'; sections in the file: ResNet"), e.getMessage());
    }

    @Test
    void brokenAndMissingFilesAreNamed() throws Exception {
        Path f = write("broken.yaml", "MobileFaceNet:\n  feat_dim: 512\n out_h: [7\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocument.read(f));
        assertTrue(e.getMessage().startsWith(f + ":"), e.getMessage());
        assertTrue(e.line() >= 2, e.getMessage());
        Path missing = dir.resolve("nope.yaml");
        assertEquals(missing + ": no such configuration file", assertThrows(ConfigException.class, () -> ConfigDocument.read(missing)).getMessage());
        Path list = write("list.yaml", "- a\n- b\n");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigDocument.read(list)).getMessage().contains("expected a mapping"));
    }

    @Test
    void configurationsPrintAsFaceXZooYaml() {
        assertEquals("feat_dim: 512\nout_h: 7\nout_w: 7\n", Configs.toYaml(net.defaultConfig()));
    }
}
