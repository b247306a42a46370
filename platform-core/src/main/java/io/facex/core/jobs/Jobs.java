package io.facex.core.jobs;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets long native work end cleanly when the process is asked to stop (Ctrl-C, SIGTERM). If the JVM
 * exited while a thread is inside libtorch, libtorch's static destructors would run under it and the
 * process would die with SIGSEGV (and an hs_err file) instead of, for training, saving where it was.
 * So a shutdown hook raises {@link #stopRequested()} and waits for running jobs to return; jobs check the
 * flag between steps or batches.
 */
public final class Jobs {

    private static final AtomicBoolean STOP = new AtomicBoolean();
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final Object LOCK = new Object();
    private static final long PATIENCE_SECONDS = 120;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(Jobs::drain, "facex-stop-jobs"));
        } catch (IllegalStateException shuttingDown) {
            // First used after Ctrl-C: the process is already stopping, so no job should start.
            STOP.set(true);
        }
    }

    private Jobs() {
    }

    /** A running job; close it when the work has returned. */
    public interface Job extends AutoCloseable {
        @Override
        void close();
    }

    public static Job start() {
        RUNNING.incrementAndGet();
        return () -> {
            synchronized (LOCK) {
                RUNNING.decrementAndGet();
                LOCK.notifyAll();
            }
        };
    }

    /** True once the process is shutting down: save what must be saved and return. */
    public static boolean stopRequested() {
        return STOP.get();
    }

    /** Throws if a stop was requested, for work with nothing to save. */
    public static void checkStop(String what) {
        if (STOP.get()) {
            throw new IllegalStateException(what + " stopped: the process is shutting down");
        }
    }

    /**
     * For the container, before it closes while the process shuts down: raises the flag and waits for
     * running jobs to return, so they save before the bundles they use go away.
     */
    public static void stopAndAwait() {
        drain();
    }

    private static void drain() {
        STOP.set(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        synchronized (LOCK) {
            while (RUNNING.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    LOCK.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
