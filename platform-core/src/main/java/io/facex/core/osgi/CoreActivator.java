package io.facex.core.osgi;

import io.facex.core.jobs.Jobs;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.shell.FacexCommands;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.BundleTracker;

import io.facex.core.registry.PluginProblem;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogReaderService;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Supplier;

/**
 * Starts the platform inside the container: the plugin extender, the registry service and the
 * {@code facex} shell commands.
 */
public final class CoreActivator implements BundleActivator {

    /** Service property of the {@link Runnable} that stops running jobs and waits for them (FacexContainer's filter). */
    public static final String STOP_JOBS_PROPERTY = "facex.stop-jobs";

    private BundleTracker<?> extender;
    private OsgiRegistry registry;

    @Override
    public void start(BundleContext context) throws Exception {
        PluginExtender plugins = new PluginExtender();
        extender = new BundleTracker<>(context, Bundle.ACTIVE, plugins);
        extender.open();
        BundleProblems bundleProblems = new BundleProblems(context);
        context.addBundleListener(bundleProblems);
        ServiceReference<LogReaderService> logReader = context.getServiceReference(LogReaderService.class);
        if (logReader != null) {
            context.getService(logReader).addLogListener(bundleProblems);
        }
        String watched = context.getProperty("felix.fileinstall.dir");
        PluginFolder folder = new PluginFolder(watched == null ? null : Path.of(watched));
        Supplier<List<PluginProblem>> refused = watched == null ? List::of : guardPluginFolder(context, Path.of(watched));
        registry = new OsgiRegistry(context, () -> {
            List<PluginProblem> all = new ArrayList<>(folder.problems());
            all.addAll(refused.get());
            all.addAll(bundleProblems.problems());
            all.addAll(plugins.problems());
            return all;
        });
        registry.open();
        context.registerService(PluginRegistry.class, registry, null);

        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", "facex");
        props.put("osgi.command.function", FacexCommands.FUNCTIONS);
        context.registerService(Object.class, new FacexCommands(registry), props);
        Hashtable<String, Object> sdk = new Hashtable<>();
        sdk.put("osgi.command.scope", "facex");
        sdk.put("osgi.command.function", io.facex.core.sdk.SdkCommands.FUNCTIONS);
        context.registerService(Object.class, new io.facex.core.sdk.SdkCommands(registry), sdk);

        // For the container's shutdown hook, on the class path's side (hence a JDK type): running jobs
        // must return, a training having saved, before the container closes under them.
        Hashtable<String, Object> stopJobs = new Hashtable<>();
        stopJobs.put(STOP_JOBS_PROPERTY, Boolean.TRUE);
        context.registerService(Runnable.class, Jobs::stopAndAwait, stopJobs);
    }

    /**
     * Registered before FileInstall starts (bundles start in file-name order, and FileInstall looks for
     * installers before its first scan), so a copy of a built-in already in plugins/ is refused too.
     */
    private static Supplier<List<PluginProblem>> guardPluginFolder(BundleContext context, Path dir) {
        try {
            return DuplicateBundleGuard.register(context, dir);
        } catch (NoClassDefFoundError noFileInstall) {
            return List::of; // a container without FileInstall (its API is an optional import): no plugins/ to guard
        }
    }

    @Override
    public void stop(BundleContext context) {
        if (registry != null) {
            registry.close();
        }
        if (extender != null) {
            extender.close();
        }
    }
}
