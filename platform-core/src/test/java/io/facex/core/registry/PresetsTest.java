package io.facex.core.registry;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.PluginKind;
import io.facex.core.config.Configs;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A preset's name selects its family's plugin with the preset's configuration, wherever a name is accepted. */
class PresetsTest {

    /** A family with depth variants, as ResNet's IR-50 ... IR-152. */
    static final class Deep extends AbstractPlugin<Deep.Config> implements Backbone<Deep.Config> {
        record Config(int depth, int featDim) {
        }

        Deep() {
            super("Deep", "a family with presets", Config.class, new Config(152, 512));
        }

        @Override
        public Map<String, Config> presets() {
            Map<String, Config> p = new LinkedHashMap<>();
            p.put("Deep-50", new Config(50, 512));
            p.put("Deep-100", new Config(100, 512));
            return p;
        }

        @Override
        public int featureDim(Config c) {
            return c.featDim();
        }

        @Override
        public Shape inputShape(Config c) {
            return new Shape(3, 112, 112);
        }

        @Override
        public Block build(Config c) {
            return ai.djl.nn.Blocks.identityBlock();
        }
    }

    private final Deep family = new Deep();
    private final PluginRegistry registry = new PluginRegistry() {
        @Override
        public List<PluginInfo> list() {
            return List.of(new PluginInfo(PluginKind.BACKBONE, family, "facex-backbone-deep", "1.0.0"));
        }

        @Override
        public List<PluginProblem> problems() {
            return List.of();
        }
    };

    @Test
    void aPresetIsItsFamilyUnderItsNameWithItsConfiguration() {
        @SuppressWarnings("unchecked")
        Backbone<Deep.Config> d50 = registry.get(Backbone.class, "Deep-50");
        assertEquals("Deep-50", d50.name());
        assertEquals(new Deep.Config(50, 512), d50.defaultConfig());
        assertEquals(512, d50.featureDim(d50.defaultConfig()), "everything else is the family's");
        assertEquals(Deep.Config.class, d50.configType());
        assertTrue(d50.presets().isEmpty());
        assertTrue(d50.description().endsWith("preset Deep-50 of Deep"), d50.description());
        assertEquals(registry.list().get(0), registry.infoOf(d50), "its bundle is the family's");
        assertTrue(registry.isAvailable(new PluginInfo(PluginKind.BACKBONE, d50, "x", "1")));
        // A configuration bound over a preset starts from the preset.
        assertEquals(new Deep.Config(50, 128), Configs.withOverrides(d50, d50.defaultConfig(), Map.of("feat_dim", 128)));
        assertSame(family, registry.get(Backbone.class, "Deep"));
    }

    @Test
    void anUnknownNameSuggestsPresetsToo() {
        UnknownPluginException e = assertThrows(UnknownPluginException.class, () -> registry.get(Backbone.class, "Deep50"));
        assertEquals("unknown backbone 'Deep50' (did you mean 'Deep-50'?); available backbones: Deep, Deep-50, Deep-100",
                e.getMessage());
    }
}
