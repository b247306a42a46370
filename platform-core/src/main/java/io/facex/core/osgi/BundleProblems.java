package io.facex.core.osgi;

import io.facex.core.registry.PluginProblem;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bundles that were installed but failed to start (an activator that throws, an unresolvable import),
 * with the error, so that {@code facex:list} can say why a dropped plugin is missing. The framework and
 * the plugins/ watcher report such failures to the OSGi log; this listens there, and forgets a bundle
 * once it starts or is uninstalled.
 */
final class BundleProblems implements LogListener, SynchronousBundleListener {

    private final BundleContext context;
    private final Map<Long, PluginProblem> problems = new ConcurrentHashMap<>();

    BundleProblems(BundleContext context) {
        this.context = context;
    }

    @Override
    public void logged(LogEntry entry) {
        // The plugins/ watcher reports a bundle that fails to start as a warning with the exception.
        if (entry.getLogLevel().implies(LogLevel.INFO) || entry.getException() == null) {
            return;
        }
        Bundle source = entry.getBundle();
        if (source != null && source.getBundleId() != 0 && source.getState() != Bundle.ACTIVE) {
            record(source, entry.getException());
            return;
        }
        // The watcher logs as itself and names the failed bundle by location in the message.
        String text = entry.getMessage() + " " + entry.getException().getMessage();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() != 0 && b.getState() != Bundle.ACTIVE && text.contains(b.getLocation())) {
                record(b, entry.getException());
            }
        }
    }

    private void record(Bundle b, Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String location = b.getLocation();
        String file = location.substring(location.lastIndexOf('/') + 1);
        String reason = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        PluginProblem p = new PluginProblem(b.getSymbolicName() + " " + b.getVersion(), file, "did not start: " + reason);
        if (problems.put(b.getBundleId(), p) == null) {
            System.err.println("facex: bundle " + p.subject() + " (" + p.origin() + ") " + p.message());
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STARTED || event.getType() == BundleEvent.UNINSTALLED) {
            problems.remove(event.getBundle().getBundleId());
        }
    }

    List<PluginProblem> problems() {
        return List.copyOf(problems.values());
    }
}
