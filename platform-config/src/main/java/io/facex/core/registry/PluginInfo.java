package io.facex.core.registry;

import io.facex.api.Plugin;
import io.facex.api.PluginKind;

/**
 * A plugin as the registry knows it.
 *
 * @param kind    its kind
 * @param plugin  the instance (stateless; safe to keep for the length of a job)
 * @param origin  the bundle symbolic name, or the jar, it came from
 * @param version the bundle or jar version, or "" when unknown
 */
public record PluginInfo(PluginKind kind, Plugin<?> plugin, String origin, String version) {

    public String name() {
        return plugin.name();
    }
}
