package io.facex.api;

import java.util.Objects;

/**
 * What every {@link Plugin} states as plain data — name, description, configuration type and defaults —
 * given once to the constructor instead of written as four methods. Optional: a plugin may as well
 * implement its kind's interface directly.
 *
 * <pre>{@code
 * public final class TinyNet extends AbstractPlugin<TinyNet.Config> implements Backbone<TinyNet.Config> {
 *     public record Config(int featDim) {}
 *
 *     public TinyNet() {
 *         super("TinyNet", "a conv and a linear layer", Config.class, new Config(128));
 *     }
 *     // featureDim, build (and validate, if the type system cannot check everything)
 * }
 * }</pre>
 *
 * @param <C> the configuration type
 */
public abstract class AbstractPlugin<C> implements Plugin<C> {

    private final String name;
    private final String description;
    private final Class<C> configType;
    private final C defaultConfig;

    /**
     * @param name          the name configuration refers to (FaceX-Zoo's spelling)
     * @param description   one line for listings
     * @param configType    the type a configuration section binds to (a record, typically)
     * @param defaultConfig the defaults (immutable: the same value is handed out every time)
     */
    protected AbstractPlugin(String name, String description, Class<C> configType, C defaultConfig) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.configType = Objects.requireNonNull(configType, "configType");
        this.defaultConfig = defaultConfig;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final Class<C> configType() {
        return configType;
    }

    @Override
    public final C defaultConfig() {
        return defaultConfig;
    }

    @Override
    public String toString() {
        return name;
    }
}
