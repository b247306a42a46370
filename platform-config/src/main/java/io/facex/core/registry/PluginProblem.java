package io.facex.core.registry;

/**
 * A plugin that could not be made available, kept so listings can say why instead of the plugin just
 * being absent.
 *
 * @param origin  the bundle or jar
 * @param subject the class or file at fault
 * @param message what went wrong
 */
public record PluginProblem(String origin, String subject, String message) {
}
