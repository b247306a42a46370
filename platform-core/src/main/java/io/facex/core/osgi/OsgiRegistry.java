package io.facex.core.osgi;

import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginProblem;
import io.facex.core.registry.PluginRegistry;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.util.tracker.ServiceTracker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The container's registry: every service registered under a plugin kind's interface, whoever
 * registered it (the extender, Declarative Services, an activator). Follows bundles coming and going.
 */
final class OsgiRegistry implements PluginRegistry {

    private final ServiceTracker<Object, Object> tracker;
    private final Supplier<List<PluginProblem>> problems;

    OsgiRegistry(BundleContext context, Supplier<List<PluginProblem>> problems) throws InvalidSyntaxException {
        String filter = PluginKind.values().stream()
                .map(k -> "(" + Constants.OBJECTCLASS + "=" + k.type().getName() + ")")
                .collect(Collectors.joining("", "(|", ")"));
        Filter f = context.createFilter(filter);
        this.tracker = new ServiceTracker<>(context, f, null);
        this.problems = problems;
    }

    void open() {
        tracker.open(true);
    }

    void close() {
        tracker.close();
    }

    @Override
    public List<PluginInfo> list() {
        ServiceReference<Object>[] refs = tracker.getServiceReferences();
        List<PluginInfo> out = new ArrayList<>();
        if (refs == null) {
            return out;
        }
        // Of two bundles offering one name (a newer copy of a built-in dropped into plugins/), the higher
        // bundle version wins, then the higher service ranking; the other comes back when the winner goes.
        java.util.Arrays.sort(refs, Comparator.comparing(OsgiRegistry::bundleVersion).reversed()
                .thenComparing(Comparator.reverseOrder()));
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ServiceReference<Object> ref : refs) {
            Object service = tracker.getService(ref);
            Bundle b = ref.getBundle();
            if (!(service instanceof Plugin<?> plugin) || b == null) {
                continue; // unregistered meanwhile, or not from our api's class space
            }
            PluginKind.of(plugin).filter(kind -> seen.add(kind.id() + ":" + plugin.name())).ifPresent(kind ->
                    out.add(new PluginInfo(kind, plugin, b.getSymbolicName(), b.getVersion().toString())));
        }
        out.sort(Comparator.comparing((PluginInfo p) -> PluginKind.values().indexOf(p.kind()))
                .thenComparing(PluginInfo::name));
        return out;
    }

    private static Version bundleVersion(ServiceReference<?> ref) {
        Bundle b = ref.getBundle();
        return b == null ? Version.emptyVersion : b.getVersion();
    }

    @Override
    public List<PluginProblem> problems() {
        return problems.get();
    }
}
