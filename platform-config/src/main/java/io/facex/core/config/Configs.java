package io.facex.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.facex.api.InvalidConfigException;
import io.facex.api.Plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Binds configuration sections to plugin configuration records, strictly: an unknown key, a value of
 * the wrong type or one the plugin rejects is a {@link ConfigException} naming file, line and key.
 */
public final class Configs {

    private static final ObjectMapper YAML = configure(YAMLMapper.builder(
            YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build()).build());
    private static final ObjectMapper JSON = configure(JsonMapper.builder().build());

    private Configs() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        m.enable(SerializationFeature.INDENT_OUTPUT);
        // "32" where a number is meant is a mistake worth reporting, not coercing.
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return m;
    }

    /** The mapper for a file's format, by extension (JSON for {@code .json}, YAML otherwise). */
    public static ObjectMapper mapperFor(Path file) {
        return file != null && file.toString().toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
    }

    /** The YAML mapper, for printing configurations. */
    public static ObjectMapper yaml() {
        return YAML;
    }

    static String format(Path file) {
        return mapperFor(file) == JSON ? "JSON" : "YAML";
    }

    /** A configuration value as one line of JSON (snake_case keys), for checkpoint metadata. */
    public static String toJson(Object config) {
        try {
            return JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A configuration written by {@link #toJson} bound back, strictly, for the plugin. */
    public static <C> C fromJson(Plugin<C> plugin, String json, String source) {
        try {
            JsonNode node = JSON.readTree(json);
            return bind(plugin, ConfigDocument.labelled(source, YAML.createObjectNode()), List.of(plugin.name()), node);
        } catch (JsonProcessingException e) {
            throw new ConfigException(null, 0, plugin.name(), source + ": unreadable configuration: " + e.getOriginalMessage(), e);
        }
    }

    /** A configuration value as YAML text, for listings and {@code facex:info}. */
    public static String toYaml(Object config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }


    /**
     * Binds a section of a document: the plugin's defaults overlaid with the section's keys, then
     * validated by the plugin.
     *
     * @param section the section name; usually the plugin name, as in FaceX-Zoo's files
     */
    public static <C> C bind(Plugin<C> plugin, ConfigDocument doc, String section) {
        JsonNode node = doc.root().get(section);
        if (node == null) {
            throw new ConfigException(doc, List.of(section), 0, "no section '" + section + "'; sections in the file: "
                    + String.join(", ", doc.sections()), null);
        }
        return bind(plugin, doc, List.of(section), node);
    }

    /** Binds a node found at {@code path} in {@code doc} (an empty or null node means "all defaults"). */
    public static <C> C bind(Plugin<C> plugin, ConfigDocument doc, List<String> path, JsonNode node) {
        return bind(plugin, plugin.defaultConfig(), doc, path, node);
    }

    /**
     * Binds a node over a configuration already bound (from a file, say), so that each layer's errors
     * point at its own source: a value given on the command line is reported as such, not at a line of
     * the file beneath it.
     */
    public static <C> C bind(Plugin<C> plugin, C base, ConfigDocument doc, List<String> path, JsonNode node) {
        ObjectNode baseTree = YAML.valueToTree(base);
        ObjectNode merged = baseTree.deepCopy();
        ConfigProblems problems = new ConfigProblems();
        // "MobileFaceNet:" with nothing under it reads as an empty string in YAML: all defaults.
        boolean empty = node == null || node.isNull() || node.isMissingNode() || (node.isTextual() && node.asText().isEmpty());
        if (!empty) {
            if (!node.isObject()) {
                throw new ConfigException(doc, path,
                        "expected a mapping of " + plugin.name() + " settings, found " + describe(node), null);
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!merged.has(key)) {
                    problems.add(new ConfigException(doc, append(path, key), "unknown key for " + plugin.name()
                            + suggestion(key, fieldNames(baseTree)) + "; known keys: " + String.join(", ", fieldNames(baseTree)), null));
                } else {
                    merged.set(key, node.get(key));
                }
            }
        }
        C config = null;
        // Jackson stops at the first value of the wrong type: put the default back and bind again, so that
        // one run names every bad value of the section.
        for (int attempt = 0; config == null && attempt <= merged.size(); attempt++) {
            try {
                config = YAML.treeToValue(merged, plugin.configType());
            } catch (JsonMappingException e) {
                List<String> keyPath = new ArrayList<>(path);
                e.getPath().forEach(ref -> keyPath.add(ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]"));
                JsonNode value = merged.at("/" + String.join("/", keyPath.subList(path.size(), keyPath.size())));
                problems.add(new ConfigException(doc, keyPath, typeProblem(e, value), e));
                String top = keyPath.size() > path.size() ? keyPath.get(path.size()) : null;
                if (top == null || merged.get(top) == baseTree.get(top)) {
                    break; // nothing left to put back: the problems so far are all there is to say
                }
                merged.set(top, baseTree.get(top));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                problems.add(new ConfigException(doc, path, e.getMessage(), e));
                break;
            }
        }
        problems.throwIfAny();
        try {
            plugin.validate(config);
        } catch (InvalidConfigException e) {
            // A plugin names a nested key with dots (EXTRA.STAGE3.NUM_CHANNELS): each is a level of the file.
            List<String> keyPath = new ArrayList<>(path);
            keyPath.addAll(List.of(e.key().split("\\.")));
            String problem = e.getMessage().substring(e.key().length() + 2);
            int line = doc.lineOf(keyPath);
            throw new ConfigException(doc, keyPath, line > 0 ? line : doc.lineOf(path), problem, e);
        }
        return config;
    }

    /**
     * A copy of a configuration with some keys replaced (e.g. a head's num_class set from the data),
     * validated like any other.
     */
    public static <C> C withOverrides(io.facex.api.Plugin<C> plugin, C config, java.util.Map<String, ?> overrides) {
        ObjectNode node = YAML.valueToTree(config);
        overrides.forEach((k, v) -> node.set(k, YAML.valueToTree(v)));
        return bind(plugin, ConfigDocument.of(YAML.createObjectNode()), List.of(plugin.name()), node);
    }

    /** The snake_case keys of a configuration type, as they appear in files. */
    public static List<String> keysOf(Object defaults) {
        return fieldNames(YAML.valueToTree(defaults));
    }

    private static String typeProblem(JsonMappingException e, JsonNode value) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds() == null ? List.of()
                    : u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            return "unknown key" + suggestion(u.getPropertyName(), known) + "; known keys: " + String.join(", ", known);
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            String got = value == null || value.isMissingNode() ? "something else"
                    : value.isTextual() ? "'" + value.asText() + "'" : value.toString();
            return "expected " + typeName(mie.getTargetType()) + ", got " + got;
        }
        return e.getOriginalMessage();
    }

    /** How a Java type reads to someone editing YAML. */
    static String typeName(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : t.getEnumConstants()) {
                names.add(c.toString());
            }
            return "one of " + String.join(", ", names);
        }
        if (t.isArray() || List.class.isAssignableFrom(t)) {
            return "a list";
        }
        return "a " + t.getSimpleName();
    }

    static String describe(JsonNode n) {
        if (n.isTextual()) {
            return "the string '" + n.asText() + "'";
        }
        if (n.isArray()) {
            return "a list";
        }
        return n.isNumber() ? "the number " + n : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** " (did you mean 'x'?)" for the nearest known key, or "" when none is near. */
    public static String suggestion(String key, List<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known) {
            int d = io.facex.core.registry.Names.distance(k, key);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best != null && bestD <= Math.max(2, key.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    private static List<String> fieldNames(ObjectNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> append(List<String> path, String key) {
        List<String> p = new ArrayList<>(path);
        p.add(key);
        return p;
    }
}
