package io.facex.core.registry;

import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.Optional;

/**
 * Plugins by kind and name. Inside the container it follows OSGi services (bundles come and go);
 * on a plain class path ({@link #onClassPath()}) it reads {@code META-INF/services}.
 */
@ProviderType
public interface PluginRegistry {

    /** Every available plugin, ordered by kind then name. */
    List<PluginInfo> list();

    /** Plugins that were published but could not be made available, with the reason. */
    List<PluginProblem> problems();

    /** The plugin of this kind and name, if installed. Names match exactly (FaceX-Zoo's spelling). */
    default Optional<PluginInfo> find(PluginKind kind, String name) {
        return list().stream().filter(p -> p.kind().equals(kind) && p.name().equals(name)).findFirst();
    }

    /**
     * The plugin of this type and name, or a preset of one ({@link Plugin#presets()}): {@code IR-SE-50}
     * gives ResNet with that preset's configuration as its defaults, under the preset's name.
     *
     * @throws UnknownPluginException listing the available names of that kind, presets included
     */
    default <P extends Plugin<?>> P get(Class<P> type, String name) {
        PluginKind kind = PluginKind.of(type.getName())
                .orElseThrow(() -> new IllegalArgumentException(type.getName() + " is not a plugin kind"));
        Optional<PluginInfo> info = find(kind, name);
        if (info.isPresent()) {
            return type.cast(info.get().plugin());
        }
        List<PluginInfo> ofKind = list().stream().filter(p -> p.kind().equals(kind)).toList();
        return Presets.find(type, ofKind.stream().<Plugin<?>>map(PluginInfo::plugin).toList(), name)
                .orElseThrow(() -> new UnknownPluginException(kind, name, ofKind.stream()
                        .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p.name()),
                                p.plugin().presets().keySet().stream())).toList()));
    }

    /** Where a plugin (or a preset of one) comes from: its family's bundle, version and kind. */
    default PluginInfo infoOf(Plugin<?> plugin) {
        Plugin<?> family = Presets.family(plugin);
        return list().stream().filter(p -> p.plugin() == family).findFirst()
                .orElseThrow(() -> new IllegalStateException(plugin.name() + " is no longer installed"));
    }

    /** What a benchmark run through this registry is given: its plugins by name, a console, a stop flag. */
    default io.facex.api.BenchmarkContext benchmarkContext(java.io.PrintStream console,
                                                           java.util.function.BooleanSupplier stopRequested) {
        PluginRegistry registry = this;
        return new io.facex.api.BenchmarkContext() {
            @Override
            public <P extends Plugin<?>> P plugin(Class<P> kind, String name) {
                return registry.get(kind, name);
            }

            @Override
            public java.io.PrintStream console() {
                return console;
            }

            @Override
            public java.util.function.BooleanSupplier stopRequested() {
                return stopRequested;
            }
        };
    }

    /** Whether the plugin is still offered (its bundle may have been removed since it was looked up). */
    default boolean isAvailable(PluginInfo plugin) {
        Plugin<?> family = Presets.family(plugin.plugin());
        return list().stream().anyMatch(p -> p.plugin() == family);
    }

    /**
     * Runs work that uses a plugin. A job keeps the instance it resolved, so it normally finishes even if
     * the plugin's bundle is removed meanwhile; if the removal does break it (a class the bundle can no
     * longer load), the failure says so instead of surfacing as a bare linkage error.
     */
    default <T> T use(PluginInfo plugin, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException | LinkageError e) {
            if (!isAvailable(plugin)) {
                throw new PluginRemovedException(plugin, e);
            }
            throw e;
        }
    }

    /** A registry of the plugins on the context class loader's class path. */
    static PluginRegistry onClassPath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return new ServiceLoaderRegistry(loader != null ? loader : PluginRegistry.class.getClassLoader());
    }
}
