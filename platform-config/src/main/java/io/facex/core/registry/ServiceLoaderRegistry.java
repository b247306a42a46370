package io.facex.core.registry;

import io.facex.api.Plugin;
import io.facex.api.PluginKind;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** The library-mode registry: {@link ServiceLoader} over a class loader, read once. */
public final class ServiceLoaderRegistry implements PluginRegistry {

    private final List<PluginInfo> plugins = new ArrayList<>();
    private final List<PluginProblem> problems = new ArrayList<>();

    public ServiceLoaderRegistry(ClassLoader loader) {
        for (PluginKind kind : PluginKind.values()) {
            Iterator<? extends Plugin<?>> it = ServiceLoader.load(kind.type(), loader).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    Plugin<?> p = it.next();
                    PluginValidation.checkDefaults(p);
                    plugins.add(new PluginInfo(kind, p, origin(p.getClass()), version(p.getClass())));
                } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                    problems.add(new PluginProblem("class path", kind.servicesEntry(), PluginValidation.describe(e)));
                }
            }
        }
        plugins.sort(Comparator.comparing((PluginInfo p) -> PluginKind.values().indexOf(p.kind()))
                .thenComparing(PluginInfo::name));
    }

    @Override
    public List<PluginInfo> list() {
        return List.copyOf(plugins);
    }

    @Override
    public List<PluginProblem> problems() {
        return List.copyOf(problems);
    }

    private static String origin(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return "class path";
        }
        String path = cs.getLocation().getPath();
        return path.substring(path.lastIndexOf('/', path.length() - 2) + 1);
    }

    private static String version(Class<?> c) {
        String v = c.getPackage() == null ? null : c.getPackage().getImplementationVersion();
        return v == null ? "" : v;
    }
}
