package io.facex.launch;

import io.facex.core.jobs.ProcessShutdown;
import io.facex.core.osgi.CoreActivator;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The embedded Equinox container of a FaceX-J installation ({@code home}: {@code bundles/},
 * {@code plugins/}, {@code conf/}). Everything that starts the platform goes through here: the
 * {@code bin/facex} launcher and the tests that boot the real thing.
 */
public final class FacexContainer implements AutoCloseable {

    /** Property: milliseconds between scans of {@code plugins/}. */
    public static final String POLL_PROPERTY = "felix.fileinstall.poll";

    private static final long SERVICE_TIMEOUT_MS = 60_000;
    /**
     * How long, once running jobs have returned, the shutdown hook lets a one-shot command's caller finish
     * the command and close the container itself. A command that is no job (it has nothing to save) is
     * not waited for beyond this: Ctrl-C should end it.
     */
    private static final long OWNER_GRACE_S = 3;
    /** A constant, so compiled in: this side never loads the core's activator. */
    private static final String STOP_JOBS_FILTER = "(" + CoreActivator.STOP_JOBS_PROPERTY + "=true)";
    /** The thread in which Equinox saves its state at shutdown, into the folder this removes. */
    private static final String EQUINOX_HOOK = "Equinox Shutdown Hook";
    /** The interactive console (JLine); one-shot commands need only the Gogo runtime. */
    private static final String CONSOLE_BUNDLE = "org.apache.felix.gogo.jline";

    private final Path home;
    private final Path storage;
    private final Framework framework;
    private final PrintStream log;
    private final boolean interactive;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;
    private final Thread shutdownHook = new Thread(this::closeOnShutdown, "facex-container-stop");
    private volatile int exitStatus;

    private FacexContainer(Path home, Path storage, Framework framework, PrintStream log, boolean interactive) {
        this.home = home;
        this.storage = storage;
        this.framework = framework;
        this.log = log;
        this.interactive = interactive;
    }

    /**
     * Starts the framework with every bundle of {@code home/bundles} and watches {@code home/plugins}.
     *
     * @param interactive whether the Gogo console should take over the terminal
     * @param overrides   extra framework properties (tests shorten the plugin poll interval)
     * @param log         where the launcher reports problems (a raw stream, not {@code System.err},
     *                    which Gogo replaces while it runs)
     */
    public static FacexContainer start(Path home, boolean interactive, Map<String, String> overrides, PrintStream log)
            throws BundleException, IOException {
        Path bundles = home.resolve("bundles");
        if (!Files.isDirectory(bundles)) {
            throw new IOException("not a FaceX-J installation: " + bundles + " is missing (set facex.home)");
        }
        Files.createDirectories(home.resolve("plugins"));
        Path storage = StorageFolder.create();
        try {
            return start(home, storage, interactive, overrides, log);
        } catch (BundleException | IOException | RuntimeException | Error e) {
            StorageFolder.delete(storage);
            throw e;
        }
    }

    private static FacexContainer start(Path home, Path storage, boolean interactive, Map<String, String> overrides,
                                        PrintStream log) throws BundleException, IOException {
        Path bundles = home.resolve("bundles");
        Path plugins = home.resolve("plugins");

        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SystemPackages.compute(FacexContainer.class.getClassLoader()));
        props.put("felix.fileinstall.dir", plugins.toString());
        props.put(POLL_PROPERTY, "1000");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.bundles.new.start", "true");
        props.put("felix.fileinstall.filter", ".*\\.jar");
        props.put("felix.fileinstall.log.level", "2"); // warnings: that is how a failed start is reported
        // its scratch folder (otherwise one more folder in the temporary directory), removed with ours
        props.put("felix.fileinstall.tmpdir", storage.resolve("fileinstall").toString());
        props.put("gosh.args", interactive ? "" : "--nointeractive");
        props.put("eclipse.log.enabled", "false");
        props.putAll(overrides);

        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class,
                FacexContainer.class.getClassLoader()).iterator();
        if (!factories.hasNext()) {
            throw new IllegalStateException("no OSGi framework on the class path (org.eclipse.osgi missing from lib/)");
        }
        Framework framework = factories.next().newFramework(props);
        framework.init();
        FacexContainer c = new FacexContainer(home, storage, framework, log, interactive);
        try {
            Runtime.getRuntime().addShutdownHook(c.shutdownHook);
            c.startBundles(bundles, interactive);
        } catch (BundleException | IOException | RuntimeException | Error e) {
            try {
                c.close();
            } catch (BundleException | InterruptedException | RuntimeException ignored) {
                // the start failure is the news
            }
            throw e;
        }
        return c;
    }

    private void startBundles(Path bundles, boolean interactive) throws BundleException, IOException {
        BundleContext ctx = framework.getBundleContext();
        ctx.addFrameworkListener(e -> {
            if (e.getType() == FrameworkEvent.ERROR) {
                log.println("facex: " + describe(e.getBundle()) + ": " + rootMessage(e.getThrowable()));
            }
        });
        framework.start();
        if (interactive) {
            // before the console starts reading what the user types
            Hashtable<String, Object> exit = new Hashtable<>();
            exit.put("osgi.command.scope", ShellExit.SCOPE);
            exit.put("osgi.command.function", new String[] {"exit"});
            ctx.registerService(Object.class, new ShellExit(this::requestExit), exit);
        }

        List<Bundle> installed = new ArrayList<>();
        try (Stream<Path> jars = Files.list(bundles)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted(Comparator.naturalOrder()).toList()) {
                if (!interactive && jar.getFileName().toString().startsWith(CONSOLE_BUNDLE)) {
                    continue; // the console would start a session of its own with no terminal to read
                }
                try {
                    // reference: leaves the jar where it is instead of copying it into the framework cache
                    installed.add(ctx.installBundle("reference:" + jar.toUri()));
                } catch (BundleException e) {
                    log.println("facex: cannot install " + home.relativize(jar) + ": " + rootMessage(e));
                }
            }
        }
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
            } catch (BundleException e) {
                log.println("facex: bundle " + describe(b) + " did not start: " + rootMessage(e));
            }
        }
        awaitService("(objectClass=org.apache.felix.service.command.CommandProcessor)");
        awaitService("(osgi.command.scope=facex)");
    }

    /** The shell's {@code exit}: the framework stops on a thread of its own and {@link #awaitStop()} returns. */
    private void requestExit(int status) {
        exitStatus = status;
        try {
            framework.stop();
        } catch (BundleException e) {
            log.println("facex: cannot stop the platform: " + rootMessage(e));
        }
    }

    /** The status the interactive shell's {@code exit N} asked for (0 for a plain {@code exit} or Ctrl-D). */
    public int exitStatus() {
        return exitStatus;
    }

    /**
     * What {@code org.osgi.framework.system.packages.extra} must say for bundles to share the class
     * path's DJL; for tests that boot a framework of their own (Pax Exam).
     */
    public static String systemPackagesExtra() {
        return SystemPackages.compute(FacexContainer.class.getClassLoader());
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    public Path home() {
        return home;
    }

    /** Blocks until the framework stops (the interactive shell's {@code exit}, or a signal). */
    public void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    /**
     * Runs one Gogo command line, as typed at the prompt. A bare FaceX-J command word gets its
     * {@code facex:} scope.
     *
     * @return 0, or 1 when the command failed (its message goes to {@code err})
     */
    public int execute(String line, OutputStream out, OutputStream err) {
        ServiceReference<?> ref = commandProcessor();
        if (ref == null) {
            new PrintStream(err, true).println("facex: the command shell is not running");
            return 1;
        }
        Object processor = context().getService(ref);
        String command = scoped(line.strip());
        PrintStream errPrint = new PrintStream(err, true);
        try {
            // Gogo's types live in its bundle; this side only has the class path, hence reflection.
            Method create = processor.getClass().getMethod("createSession", InputStream.class, OutputStream.class,
                    OutputStream.class);
            Object session = create.invoke(processor, new ByteArrayInputStream(new byte[0]), out, err);
            Method execute = session.getClass().getMethod("execute", CharSequence.class);
            execute.setAccessible(true);
            Method close = session.getClass().getMethod("close");
            close.setAccessible(true);
            try {
                Object result = execute.invoke(session, command);
                if (result != null) {
                    // What the console would print: commands like 'lb' or 'echo' return their output.
                    Method format = session.getClass().getMethod("format", Object.class, int.class);
                    format.setAccessible(true);
                    PrintStream p = new PrintStream(out, true);
                    p.println(format.invoke(session, result, 0));
                }
                return 0;
            } finally {
                close.invoke(session);
            }
        } catch (InvocationTargetException e) {
            if ((closing && ProcessShutdown.inProgress()) || causedByShutdown(e.getCause())) {
                // Ctrl-C while the command ran: it broke because the container closed under it, or some
                // library tried to register a shutdown hook too late. The exit status (130) says the
                // process was interrupted; this would add only noise.
                return 1;
            }
            String msg = rootMessage(e.getCause());
            if (msg.startsWith("Cannot coerce ")) {
                // Gogo's way of saying no overload takes these arguments: usually an unknown option
                String name = command.split("\\s+")[0];
                msg = "unknown option or wrong arguments for '" + name + "'; see 'help " + name + "'";
            }
            errPrint.println("facex: " + msg);
            return 1;
        } catch (ReflectiveOperationException e) {
            errPrint.println("facex: cannot run '" + command + "': " + e);
            return 1;
        } finally {
            try {
                out.flush();
            } catch (IOException ignored) {
                // the caller's stream; nothing more to tell it
            }
            context().ungetService(ref);
        }
    }

    /** All references, not only class-compatible ones: the launcher side never casts the service. */
    private ServiceReference<?> commandProcessor() {
        try {
            ServiceReference<?>[] refs = context().getAllServiceReferences(
                    "org.apache.felix.service.command.CommandProcessor", null);
            return refs == null || refs.length == 0 ? null : refs[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The functions of the facex scope, as the commands service announces them. */
    public List<String> facexCommands() {
        List<String> names = new ArrayList<>();
        try {
            ServiceReference<?>[] refs = context().getAllServiceReferences(null, "(osgi.command.scope=facex)");
            if (refs != null) {
                for (ServiceReference<?> r : refs) {
                    Object f = r.getProperty("osgi.command.function");
                    if (f instanceof String[] arr) {
                        names.addAll(List.of(arr));
                    } else if (f != null) {
                        names.add(f.toString());
                    }
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    private String scoped(String line) {
        int space = line.indexOf(' ');
        String first = space < 0 ? line : line.substring(0, space);
        if (!first.contains(":") && facexCommands().contains(first)) {
            return "facex:" + line;
        }
        return line;
    }

    private void awaitService(String filter) {
        try {
            ServiceTracker<Object, Object> t = new ServiceTracker<>(context(), context().createFilter(filter), null);
            t.open(true);
            try {
                if (t.waitForService(SERVICE_TIMEOUT_MS) == null) {
                    throw new IllegalStateException("the platform did not come up: no service " + filter
                            + " after " + SERVICE_TIMEOUT_MS / 1000 + " s; bundles not active: " + inactiveBundles());
                }
            } finally {
                t.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String inactiveBundles() {
        List<String> names = new ArrayList<>();
        for (Bundle b : context().getBundles()) {
            if (b.getState() != Bundle.ACTIVE && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                names.add(describe(b));
            }
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    static String describe(Bundle b) {
        if (b == null) {
            return "framework";
        }
        String loc = b.getLocation();
        int slash = loc.lastIndexOf('/');
        return b.getSymbolicName() + " " + b.getVersion() + " (" + (slash >= 0 ? loc.substring(slash + 1) : loc) + ")";
    }

    /** What a user reads of a failure: see {@link ErrorMessages}. */
    static String rootMessage(Throwable t) {
        return ErrorMessages.of(t);
    }

    private static boolean causedByShutdown(Throwable t) {
        Throwable root = t;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // the JDK's words when Runtime.addShutdownHook is called after shutdown began
        return root instanceof IllegalStateException && "Shutdown in progress".equals(root.getMessage())
                && ProcessShutdown.inProgress();
    }

    /** Stops the framework and removes its cache folder. Safe to call twice and from the shutdown hook. */
    @Override
    public synchronized void close() throws BundleException, InterruptedException {
        if (closed.getCount() == 0) {
            return;
        }
        closing = true;
        try {
            framework.stop();
            framework.waitForStop(TimeUnit.SECONDS.toMillis(30));
        } finally {
            if (ProcessShutdown.inProgress()) {
                awaitEquinoxSave();
            }
            StorageFolder.delete(storage);
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to, and finds the container closed
            }
        }
    }

    /**
     * Ctrl-C, SIGTERM or {@code System.exit}: the cache folder must not outlive the process. Running jobs
     * return first (a training saves where it was); then a one-shot command's caller gets a moment to
     * finish and close the container itself, which keeps its last lines whole. The interactive shell has
     * no such caller, so the hook closes at once.
     */
    private void closeOnShutdown() {
        try {
            if (closed.getCount() > 0) {
                stopJobs();
                if (!interactive) {
                    closed.await(OWNER_GRACE_S, TimeUnit.SECONDS);
                }
            }
            close();
        } catch (Exception | LinkageError e) {
            // the process is ending and has nowhere left to report to; the folder goes regardless
        } finally {
            StorageFolder.delete(storage);
        }
    }

    private void stopJobs() {
        try {
            BundleContext ctx = framework.getBundleContext();
            ServiceReference<?>[] refs = ctx == null ? null : ctx.getAllServiceReferences(Runnable.class.getName(), STOP_JOBS_FILTER);
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                Object stop = ctx.getService(ref);
                if (stop instanceof Runnable r) {
                    r.run();
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            // the framework is already stopping: no job is left to wait for
        }
    }

    /** Equinox saves its state from a shutdown hook of its own, which would write the folder anew after us. */
    private static void awaitEquinoxSave() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (EQUINOX_HOOK.equals(t.getName()) && t != Thread.currentThread()) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
