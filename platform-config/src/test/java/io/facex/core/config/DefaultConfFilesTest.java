package io.facex.core.config;

import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginProblem;
import io.facex.core.registry.PluginRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated conf files bind back, through the strict binder, to every plugin's defaults. */
class DefaultConfFilesTest {

    /** Values YAML could misread if written carelessly: numbers and booleans as text, colons, nesting, lists. */
    record Odd(String digits, String flag, String empty, String nothing, String steps, String colon, List<Integer> counts,
               Inner inner, double scale, boolean on, long big) {
    }

    record Inner(int a, String b) {
    }

    record Plain(int featDim) {
    }

    static class TestBackbone<C> extends AbstractPlugin<C> implements Backbone<C> {
        TestBackbone(String name, Class<C> type, C defaults) {
            super(name, "a test backbone: " + name, type, defaults);
        }

        @Override
        public Block build(C config) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int featureDim(C config) {
            return 1;
        }
    }

    static final TestBackbone<Odd> ODD = new TestBackbone<>("Odd", Odd.class, new Odd("7", "yes", "", null, "2,5,7",
            "a: b", List.of(10, 100), new Inner(1, "no"), 32, true, 1L << 40));
    static final TestBackbone<Plain> DASHED = new TestBackbone<>("-dashed", Plain.class, new Plain(512));

    @Test
    void everySectionBindsBackToItsDefaults(@TempDir Path dir) throws Exception {
        String text = DefaultConfFiles.render(PluginKind.BACKBONE, "backbone_conf.yaml", List.of(ODD, DASHED));
        assertTrue(text.startsWith("# Backbone configurations in FaceX-Zoo's layout (training_mode/backbone_conf.yaml):\n"), text);
        assertTrue(text.contains("# Generated when the distribution was built") && text.contains(
                "java -cp 'lib/*:bundles/*:plugins/*' io.facex.core.config.DefaultConfFiles conf"), text);
        assertTrue(text.contains("\n# a test backbone: Odd\nOdd:\n    digits: "), text);
        Path file = Files.writeString(dir.resolve("backbone_conf.yaml"), text);
        ConfigDocument doc = ConfigDocument.read(file);
        assertEquals(List.of("Odd", "-dashed"), doc.sections());
        for (TestBackbone<?> p : List.of(ODD, DASHED)) {
            assertBindsToDefaults(p, doc);
        }
    }

    private static <C> void assertBindsToDefaults(Plugin<C> p, ConfigDocument doc) {
        assertEquals(p.defaultConfig(), Configs.bind(p, doc, p.name()), p.name());
    }

    @Test
    void writesTheBackboneAndHeadFilesAndRefusesToSkipABrokenPlugin(@TempDir Path dir) throws Exception {
        PluginRegistry fine = registry(List.of(new PluginInfo(PluginKind.BACKBONE, ODD, "test", "1")), List.of());
        List<Path> files = DefaultConfFiles.write(fine, dir.resolve("conf"));
        assertEquals(List.of(dir.resolve("conf/backbone_conf.yaml"), dir.resolve("conf/head_conf.yaml")), files);
        assertTrue(Files.readString(files.get(1)).contains("# (no head installed)"));
        assertEquals(List.of(), ConfigDocument.read(files.get(1)).sections());

        PluginRegistry broken = registry(List.of(), List.of(new PluginProblem("x.jar", "com.example.Bad", "rejects its defaults")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DefaultConfFiles.write(broken, dir));
        assertTrue(e.getMessage().contains("com.example.Bad"), e.getMessage());
    }

    private static PluginRegistry registry(List<PluginInfo> plugins, List<PluginProblem> problems) {
        return new PluginRegistry() {
            @Override
            public List<PluginInfo> list() {
                return plugins;
            }

            @Override
            public List<PluginProblem> problems() {
                return problems;
            }
        };
    }
}
