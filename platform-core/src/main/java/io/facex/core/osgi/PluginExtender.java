package io.facex.core.osgi;

import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import io.facex.core.registry.PluginProblem;
import io.facex.core.registry.PluginValidation;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.BundleTrackerCustomizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes the plugins an active bundle lists in {@code META-INF/services} as OSGi services of that
 * bundle (the extender pattern), so one declaration serves {@link java.util.ServiceLoader} and the
 * container alike, and a plugin needs no OSGi code. A class that fails to load or instantiate is
 * recorded as a problem; the bundle and the container carry on.
 */
final class PluginExtender implements BundleTrackerCustomizer<List<ServiceRegistration<?>>> {

    /** Service property with the plugin name, for filters and the console's service listings. */
    static final String NAME_PROPERTY = "facex.name";
    static final String KIND_PROPERTY = "facex.kind";

    private final Map<Long, List<PluginProblem>> problems = new ConcurrentHashMap<>();

    @Override
    public List<ServiceRegistration<?>> addingBundle(Bundle bundle, BundleEvent event) {
        List<ServiceRegistration<?>> regs = new ArrayList<>();
        List<PluginProblem> found = new ArrayList<>();
        String origin = bundle.getSymbolicName() + " " + bundle.getVersion();
        for (PluginKind kind : PluginKind.values()) {
            URL entry = bundle.getEntry(kind.servicesEntry());
            if (entry == null) {
                continue;
            }
            List<String> classes;
            try {
                classes = readProviderNames(entry);
            } catch (IOException e) {
                found.add(new PluginProblem(origin, kind.servicesEntry(), "cannot read: " + e.getMessage()));
                continue;
            }
            for (String className : classes) {
                try {
                    regs.add(publish(bundle, kind, className));
                } catch (Throwable t) { // a plugin's constructor may throw anything; it must not take us down
                    if (t instanceof VirtualMachineError vme) {
                        throw vme;
                    }
                    found.add(new PluginProblem(origin, className, PluginValidation.describe(t)));
                }
            }
        }
        if (!found.isEmpty()) {
            problems.put(bundle.getBundleId(), found);
            found.forEach(p -> System.err.println("facex: plugin " + p.subject() + " from " + p.origin()
                    + " is not available: " + p.message()));
        }
        return regs.isEmpty() && found.isEmpty() ? null : regs;
    }

    private static ServiceRegistration<?> publish(Bundle bundle, PluginKind kind, String className) throws Exception {
        Class<?> c = bundle.loadClass(className);
        if (!kind.type().isAssignableFrom(c)) {
            throw new IllegalStateException(className + " does not implement " + kind.type().getName()
                    + " as the platform sees it (is the bundle wired to another facex-api version?)");
        }
        Plugin<?> plugin = (Plugin<?>) c.getDeclaredConstructor().newInstance();
        PluginValidation.checkDefaults(plugin);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(NAME_PROPERTY, plugin.name());
        props.put(KIND_PROPERTY, kind.id());
        return bundle.getBundleContext().registerService(kind.type().getName(), plugin, props);
    }

    private static List<String> readProviderNames(URL entry) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(entry.openStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                int hash = line.indexOf('#');
                String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, List<ServiceRegistration<?>> regs) {
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, List<ServiceRegistration<?>> regs) {
        problems.remove(bundle.getBundleId());
        for (ServiceRegistration<?> r : regs) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters a stopping bundle's services itself
            }
        }
    }

    List<PluginProblem> problems() {
        return problems.values().stream().flatMap(List::stream).toList();
    }
}
