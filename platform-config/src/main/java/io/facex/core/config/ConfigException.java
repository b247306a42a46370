package io.facex.core.config;

import java.nio.file.Path;

/**
 * A configuration the platform cannot use, located for the user: file, line (when known) and key.
 * The message reads like a compiler's: {@code conf/backbone_conf.yaml:4: MobileFaceNet.feat_dim: ...}.
 */
public class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String key;
    private final transient java.util.List<ConfigException> problems;

    public ConfigException(Path file, int line, String key, String problem) {
        this(file, line, key, problem, null);
    }

    public ConfigException(Path file, int line, String key, String problem, Throwable cause) {
        this(file, file == null ? null : file.toString(), line, key, problem, cause);
    }

    /** A problem located in a document: its file and line, or "command line". */
    public ConfigException(ConfigDocument doc, java.util.List<String> keyPath, String problem, Throwable cause) {
        this(doc, keyPath, doc.lineOf(keyPath), problem, cause);
    }

    /** The same, at a line found otherwise (the enclosing section's, when the key itself is not written). */
    public ConfigException(ConfigDocument doc, java.util.List<String> keyPath, int line, String problem, Throwable cause) {
        this(doc.file(), doc.source(), line, String.join(".", keyPath), problem, cause);
    }

    private ConfigException(Path file, String source, int line, String key, String problem, Throwable cause) {
        super(where(source, line) + (key == null || key.isEmpty() ? "" : key + ": ") + problem, cause);
        this.file = file;
        this.line = line;
        this.key = key;
        this.problems = java.util.List.of(this);
    }

    /** Several problems reported as one, a line each; file, line and key are the first one's. */
    private ConfigException(java.util.List<ConfigException> all) {
        super(all.size() + " problems in the configuration:\n" + String.join("\n",
                all.stream().map(ConfigException::getMessage).toList()), all.get(0));
        ConfigException first = all.get(0);
        this.file = first.file;
        this.line = first.line;
        this.key = first.key;
        this.problems = java.util.List.copyOf(all);
    }

    /** The problems as one exception: the problem itself when there is one. */
    public static ConfigException of(java.util.List<ConfigException> all) {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no configuration problem to report");
        }
        return all.size() == 1 ? all.get(0) : new ConfigException(all);
    }

    /** Each problem this reports: itself, or each of several found together. */
    public java.util.List<ConfigException> problems() {
        return problems;
    }

    private static String where(String source, int line) {
        if (source == null) {
            return "";
        }
        return source + (line > 0 ? ":" + line : "") + ": ";
    }

    /** The file, or null for configuration that came from the command line or code. */
    public Path file() {
        return file;
    }

    /** 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** The dotted key path ({@code MobileFaceNet.feat_dim}), or "" for the whole file. */
    public String key() {
        return key;
    }
}
