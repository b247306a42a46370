package io.facex.api;

/**
 * Something the platform resolves by name from configuration: a backbone, a head, a protocol, ...
 *
 * <p>A plugin is a stateless factory. Its configuration is an immutable value of {@link #configType()}
 * (a record, typically) that the platform binds from a YAML or JSON section: keys are the record's
 * components in snake_case ({@code featDim} reads {@code feat_dim}), so FaceX-Zoo's own
 * {@code backbone_conf.yaml} and {@code head_conf.yaml} sections bind unchanged. Keys missing from a
 * section keep the values of {@link #defaultConfig()}.
 *
 * <p>Plugins are published through {@code META-INF/services/<kind interface>}, which serves both
 * {@link java.util.ServiceLoader} on a plain class path and the OSGi platform, which registers the
 * same classes as services of their bundle.
 *
 * @param <C> the configuration type
 */
public interface Plugin<C> {

    /** The name configuration refers to, FaceX-Zoo's spelling ({@code MobileFaceNet}, {@code MV-Softmax}). */
    String name();

    /** One line for listings. */
    String description();

    /** The type a configuration section binds to. */
    Class<C> configType();

    /** FaceX-Zoo's default configuration for this plugin. */
    C defaultConfig();

    /**
     * Named configurations of this plugin where the original has depth or width variants, as timm names
     * its models: ResNet's {@code IR-50} ... {@code IR-SE-152}, RepVGG's {@code RepVGG-A0} ... Each is a
     * complete configuration; {@code facex info} lists them, and a preset's name selects it wherever the
     * plugin's name is accepted. Iteration order is the listing order. None by default.
     */
    default java.util.Map<String, C> presets() {
        return java.util.Map.of();
    }

    /**
     * Checks what the type system cannot (ranges, allowed values, combinations).
     *
     * @throws InvalidConfigException naming the offending key
     */
    default void validate(C config) {
    }
}
