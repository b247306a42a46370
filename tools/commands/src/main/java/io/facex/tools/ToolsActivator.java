package io.facex.tools;

import io.facex.core.registry.PluginRegistry;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import java.util.Hashtable;

/** Adds {@code facex:quickstart} to the shell; the benchmarks reach {@code facex bench} as plugins. */
public final class ToolsActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", "facex");
        props.put("osgi.command.function", ToolCommands.FUNCTIONS);
        context.registerService(Object.class, new ToolCommands(() -> {
            ServiceReference<PluginRegistry> ref = context.getServiceReference(PluginRegistry.class);
            if (ref == null) {
                throw new IllegalStateException("the platform's plugin registry is not running");
            }
            return context.getService(ref);
        }), props);
    }

    @Override
    public void stop(BundleContext context) {
    }
}
