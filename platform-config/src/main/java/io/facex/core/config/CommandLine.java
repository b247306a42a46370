package io.facex.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Options of a command whose option names come from plugins (a training mode's, a backbone's), so that
 * a new plugin's settings reach the command line without the shell declaring them. Accepted forms:
 * {@code --key value}, {@code --key=value}, a bare {@code --flag} (true), {@code --set key=value} and
 * {@code --set section.key=value} (e.g. {@code --set head.margin=0.4}), {@code -c/--config FILE},
 * {@code -r} for {@code --resume}, {@code -h/--help}. Values are read as YAML scalars, so {@code 0.1}
 * is a number and {@code true} a boolean, exactly as in a configuration file.
 */
public final class CommandLine {

    private static final Pattern NUMBER = Pattern.compile("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    /**
     * @param config     the {@code --config} file, or null
     * @param options    every other option as a tree
     * @param help       whether help was asked for
     * @param positional words that are not options ({@code bench NAME}), in order
     */
    public record Parsed(Path config, ObjectNode options, boolean help, List<String> positional) {

        /** For commands that take options only. */
        public void requireNoPositional() {
            if (!positional.isEmpty()) {
                throw new ConfigException(null, 0, "", "command line: unexpected argument '" + positional.get(0)
                        + "'; options are --name value, --name=value or --set key=value (see --help)");
            }
        }
    }

    private CommandLine() {
    }

    public static Parsed parse(List<String> args) {
        return parse(args, java.util.Map.of());
    }

    /**
     * As {@link #parse(List)}, with one-letter names for a command's most used options ({@code -H NAME}
     * for the head, ...): each maps to the option's full name.
     */
    public static Parsed parse(List<String> args, java.util.Map<String, String> shortNames) {
        ObjectNode options = Configs.yaml().createObjectNode();
        Path config = null;
        boolean help = false;
        List<String> positional = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-h") || a.equals("--help")) {
                help = true;
                continue;
            }
            if (a.equals("-c")) {
                if (i + 1 >= args.size()) {
                    throw new ConfigException(null, 0, "", "command line: -c expects a file");
                }
                config = Path.of(args.get(++i));
                continue;
            }
            if (a.equals("-r")) {
                set(options, "resume", "true");
                continue;
            }
            if (shortNames.containsKey(a)) {
                if (i + 1 >= args.size()) {
                    throw new ConfigException(null, 0, "", "command line: " + a + " expects a value (--"
                            + shortNames.get(a) + ")");
                }
                set(options, shortNames.get(a), args.get(++i));
                continue;
            }
            if (!a.startsWith("--") || a.length() == 2) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.size() && isValue(args.get(i + 1))) {
                value = args.get(++i);
            }
            if (name.equals("set")) {
                if (value == null || value.indexOf('=') <= 0) {
                    throw new ConfigException(null, 0, "", "command line: --set expects key=value or section.key=value, got "
                            + (value == null ? "nothing" : "'" + value + "'"));
                }
                set(options, value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
            } else if (name.equals("config")) {
                if (value == null) {
                    throw new ConfigException(null, 0, "", "command line: --config expects a file");
                }
                config = Path.of(value);
            } else {
                set(options, name, value == null ? "true" : value);
            }
        }
        return new Parsed(config, options, help, List.copyOf(positional));
    }

    private static boolean isValue(String next) {
        return !next.startsWith("-") || NUMBER.matcher(next).matches();
    }

    /** Puts a dotted key's value into the tree, creating sections on the way. */
    private static void set(ObjectNode root, String dotted, String text) {
        String[] parts = dotted.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], scalar(text));
    }

    /** A command-line string as YAML would read it, so "0.1" binds to a number and "true" to a flag. */
    static JsonNode scalar(String v) {
        try {
            JsonNode n = Configs.yaml().readTree(v);
            return n == null || n.isContainerNode() || n.isMissingNode() ? Configs.yaml().getNodeFactory().textNode(v) : n;
        } catch (IOException e) {
            return Configs.yaml().getNodeFactory().textNode(v);
        }
    }
}
