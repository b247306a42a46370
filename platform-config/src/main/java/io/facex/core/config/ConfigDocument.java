package io.facex.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A YAML or JSON configuration file of named sections, FaceX-Zoo's layout
 * ({@code backbone_conf.yaml}: one section per backbone name). Parsed once into a tree; line numbers
 * are recovered from the file on demand, only when an error needs one.
 */
public final class ConfigDocument {

    private final Path file;
    private final String source;
    private final ObjectNode root;

    private ConfigDocument(Path file, ObjectNode root) {
        this(file, file == null ? null : file.toString(), root);
    }

    private ConfigDocument(Path file, String source, ObjectNode root) {
        this.file = file;
        this.source = source;
        this.root = root;
    }

    /** Reads a {@code .yaml}, {@code .yml} or {@code .json} file. */
    public static ConfigDocument read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, 0, "", "no such configuration file");
        }
        try {
            JsonNode node = Configs.mapperFor(file).readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return new ConfigDocument(file, Configs.mapperFor(file).createObjectNode());
            }
            if (!node.isObject()) {
                throw new ConfigException(file, 1, "", "expected a mapping of section names, found " + Configs.describe(node));
            }
            return new ConfigDocument(file, (ObjectNode) node);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(file, line, "", "not valid " + Configs.format(file) + ": " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 0, "", "no such configuration file", e);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "", "cannot read: " + e, e);
        }
    }

    /** A document held in memory (configuration given in code or on the command line). */
    public static ConfigDocument of(ObjectNode root) {
        return new ConfigDocument(null, root);
    }

    /** Options given on the command line: errors say "command line:" where a file would say file:line. */
    public static ConfigDocument commandLine(ObjectNode root) {
        return labelled("command line", root);
    }

    /** Configuration from elsewhere (a checkpoint's metadata): errors name {@code source}. */
    public static ConfigDocument labelled(String source, ObjectNode root) {
        return new ConfigDocument(null, source, root);
    }

    /** Where errors say the configuration came from: the file, "command line", or null for code. */
    public String source() {
        return source;
    }

    /** The file, or null. */
    public Path file() {
        return file;
    }

    public ObjectNode root() {
        return root;
    }

    /** Section names in file order. */
    public List<String> sections() {
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * The 1-based line where the key path is defined, or 0 if it is not in the file. Re-reads the
     * file: only called on the error path.
     */
    public int lineOf(List<String> path) {
        if (file == null || path.isEmpty()) {
            return 0;
        }
        JsonFactory factory = Configs.mapperFor(file).getFactory();
        try (JsonParser p = factory.createParser(file.toFile())) {
            List<String> current = new ArrayList<>();
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> {
                        depth--;
                        while (current.size() > depth) {
                            current.remove(current.size() - 1);
                        }
                    }
                    case FIELD_NAME -> {
                        while (current.size() >= depth) {
                            current.remove(current.size() - 1);
                        }
                        current.add(p.currentName());
                        if (current.equals(path)) {
                            return p.currentLocation().getLineNr();
                        }
                    }
                    default -> { }
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }
}
