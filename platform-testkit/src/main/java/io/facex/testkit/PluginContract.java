package io.facex.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.ConfigException;
import io.facex.core.config.Configs;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginProblem;
import io.facex.core.registry.PluginValidation;
import io.facex.core.registry.ServiceLoaderRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What the platform expects of every plugin, whatever its kind: it is published in
 * {@code META-INF/services}, its name is unique, its defaults pass its own {@code validate} and survive
 * being written to a YAML file (as {@code conf/*.yaml} is generated), and mistakes in its configuration
 * are reported by file, line and key through the platform's strict binder.
 *
 * <p>Extend the kind's contract ({@link BackboneContract}, {@link HeadContract},
 * {@link TestProtocolContract}, {@link TrainingModeContract}) with the plugin instance; the checks run as
 * the subclass's own tests, beside any it adds. Override {@link #testConfig} when the defaults are too
 * large to build in a unit test.
 *
 * @param <C> the plugin's configuration type
 */
public abstract class PluginContract<C> {

    private final Plugin<C> plugin;
    private final PluginKind kind;

    protected PluginContract(Plugin<C> plugin) {
        this.plugin = plugin;
        this.kind = PluginKind.of(plugin).orElseThrow(() -> new IllegalArgumentException(
                plugin.getClass().getName() + " implements no plugin kind"));
    }

    /** The plugin under test. */
    protected Plugin<C> plugin() {
        return plugin;
    }

    /** The configuration the tests that build or run the plugin use: the defaults unless overridden. */
    protected C testConfig() {
        return plugin.defaultConfig();
    }

    @Test
    public void hasANameADescriptionAndValidDefaults() {
        PluginValidation.checkDefaults(plugin);
        String name = plugin.name();
        assertFalse(name.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == ':'),
                "'" + name + "': a name is one word (it is a YAML section and a command-line argument)");
        assertFalse(plugin.description().isBlank() || plugin.description().contains("\n"),
                name + ": the description is one line for listings, got '" + plugin.description() + "'");
        plugin.validate(testConfig());
    }

    /** The defaults written as YAML, as the distribution's conf/*.yaml are, bind back to themselves. */
    @Test
    public void defaultsSurviveAConfigurationFile(@TempDir Path dir) throws IOException {
        C defaults = plugin.defaultConfig();
        String yaml = Configs.toYaml(defaults);
        Path file = write(dir, plugin.name() + ":\n" + indent(yaml));
        C back = Configs.bind(plugin, ConfigDocument.read(file), plugin.name());
        assertEquals(defaults, back, plugin.name() + ": the defaults written as\n" + yaml + "bind back to another value");
    }

    @Test
    public void isListedInMetaInfServices() {
        ClassLoader loader = plugin.getClass().getClassLoader();
        boolean listed = ServiceLoader.load(kind.type(), loader).stream()
                .anyMatch(p -> p.type().equals(plugin.getClass()));
        assertTrue(listed, plugin.getClass().getName() + " is not published: add it as a line of src/main/resources/"
                + kind.servicesEntry());
        ServiceLoaderRegistry registry = new ServiceLoaderRegistry(loader);
        for (PluginProblem p : registry.problems()) {
            assertFalse(p.toString().contains(plugin.getClass().getName()), "the platform cannot use it: " + p);
        }
        assertTrue(registry.list().stream().anyMatch(p -> p.plugin().getClass().equals(plugin.getClass())),
                plugin.getClass().getName() + " is listed but the platform does not offer it: " + registry.problems());
    }

    /** Names are compared ignoring case too: "mobilefacenet" must not mean two things. */
    @Test
    public void nameIsUniqueAmongTheClassPathsPlugins() {
        List<PluginInfo> clashes = new ServiceLoaderRegistry(plugin.getClass().getClassLoader()).list().stream()
                .filter(p -> p.kind().equals(kind) && p.name().equalsIgnoreCase(plugin.name()))
                .filter(p -> !p.plugin().getClass().equals(plugin.getClass()))
                .toList();
        assertTrue(clashes.isEmpty(), kind.id() + " name '" + plugin.name() + "' is also used by "
                + clashes.stream().map(p -> p.plugin().getClass().getName() + " (" + p.origin() + ")").toList());
    }

    /** A misspelt key is named with its file and line, and the key it was meant to be is suggested. */
    @Test
    public void anUnknownKeyIsReportedWithFileLineAndSuggestion(@TempDir Path dir) throws IOException {
        String key = configErrorKey();
        String typo = key + key.charAt(key.length() - 1);
        Path file = write(dir, "# other sections are not read\nOther:\n    anything: 1\n" + plugin.name() + ":\n    " + typo + ": 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(plugin, ConfigDocument.read(file), plugin.name()));
        String expected = file + ":5: " + plugin.name() + "." + typo + ": unknown key for " + plugin.name()
                + " (did you mean '" + key + "'?)";
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "...', got '" + e.getMessage() + "'");
        assertEquals(5, e.line());
    }

    /** A value of the wrong type is named with its file, line and key, and says what was expected. */
    @Test
    public void aWronglyTypedValueIsReportedWithFileAndLine(@TempDir Path dir) throws IOException {
        String key = configErrorKey();
        Path file = write(dir, plugin.name() + ":\n    " + key + ": " + wrongValue(key) + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(plugin, ConfigDocument.read(file), plugin.name()),
                plugin.name() + "." + key + ": " + wrongValue(key) + " was accepted");
        String expected = file + ":2: " + plugin.name() + "." + key + ": expected ";
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "...', got '" + e.getMessage() + "'");
        assertEquals(2, e.line());
        assertEquals(plugin.name() + "." + key, e.key());
    }

    /**
     * The key the configuration-error checks misspell and mistype: the first number or true/false of the
     * defaults (whose wrong type is unambiguous), else the first key.
     */
    protected String configErrorKey() {
        JsonNode defaults = Configs.yaml().valueToTree(plugin.defaultConfig());
        assumeFalse(defaults == null || !defaults.isObject() || defaults.isEmpty(),
                plugin.name() + "'s configuration has no keys to get wrong");
        String first = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = defaults.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (first == null) {
                first = e.getKey();
            }
            if (e.getValue().isNumber() || e.getValue().isBoolean()) {
                return e.getKey();
            }
        }
        return first;
    }

    /** A YAML value of the wrong type for {@code key}: a word for numbers, flags and lists, a list otherwise. */
    protected String wrongValue(String key) {
        JsonNode value = Configs.yaml().valueToTree(plugin.defaultConfig()).get(key);
        return value != null && (value.isNumber() || value.isBoolean() || value.isArray()) ? "wrong" : "[1, 2]";
    }

    static String indent(String yaml) {
        StringBuilder out = new StringBuilder();
        for (String line : yaml.split("\n")) {
            if (!line.isEmpty()) {
                out.append("    ").append(line).append('\n');
            }
        }
        return out.toString();
    }

    static Path write(Path dir, String text) throws IOException {
        return Files.writeString(dir.resolve("conf.yaml"), text, StandardCharsets.UTF_8);
    }
}
