package io.facex.core.registry;

import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.PluginKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The toolbox as a plain library: plugins found through ServiceLoader on the test class path. */
class ServiceLoaderRegistryTest {

    private final PluginRegistry registry = PluginRegistry.onClassPath();

    @Test
    void findsPluginsByKindAndName() {
        Backbone<?> b = registry.get(Backbone.class, "MobileFaceNet");
        assertEquals("MobileFaceNet", b.name());
        PluginInfo info = registry.find(PluginKind.BACKBONE, "MobileFaceNet").orElseThrow();
        assertTrue(info.origin().startsWith("facex-backbone-mobilefacenet") || info.origin().equals("classes/"), info.origin());
        assertTrue(registry.problems().isEmpty(), registry.problems().toString());
    }

    @Test
    void unknownNameListsWhatIsAvailable() {
        UnknownPluginException e = assertThrows(UnknownPluginException.class, () -> registry.get(Backbone.class, "MobileFacenet"));
        assertEquals("unknown backbone 'MobileFacenet' (did you mean 'MobileFaceNet'?); available backbones: MobileFaceNet", e.getMessage());
        e = assertThrows(UnknownPluginException.class, () -> registry.get(Head.class, "ArcFace"));
        assertEquals("unknown head 'ArcFace'; available heads: none installed", e.getMessage());
    }

    @Test
    void namesMatchIgnoringCaseOnlyForSuggestions() {
        assertEquals(0, Names.distance("MV-Softmax", "mv-softmax"));
        assertEquals(1, Names.distance("ArcFace", "ArcFac"));
    }
}
