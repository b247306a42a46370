package io.facex.api;

/** A configuration value that a plugin refuses; {@link #key()} names it so the user can find the line. */
public class InvalidConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public InvalidConfigException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    /** The configuration key at fault, relative to the plugin's section. */
    public String key() {
        return key;
    }
}
