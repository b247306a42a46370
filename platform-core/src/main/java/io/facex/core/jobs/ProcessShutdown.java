package io.facex.core.jobs;

/**
 * Whether the JVM has begun its shutdown (Ctrl-C, SIGTERM, {@code System.exit}). Used where a failure or
 * a message only makes sense while the process keeps running: the launcher and the container read it
 * from the class path, the core bundle from inside, and this class holds no state, so both copies agree.
 */
public final class ProcessShutdown {

    private ProcessShutdown() {
    }

    public static boolean inProgress() {
        // The JDK offers no query; registering a hook is refused exactly when shutdown has begun.
        Thread probe = new Thread(() -> { }, "facex-shutdown-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException stopping) {
            return true;
        }
    }
}
