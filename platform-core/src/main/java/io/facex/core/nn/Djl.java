package io.facex.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * DJL entry point for code running in bundles. DJL looks up its engine and native libraries through
 * the thread context class loader, once; inside the container that loader may be the framework's, which
 * cannot see DJL (it lives on the launcher's class path). Pinning the TCCL to DJL's own loader for the
 * first call makes the look-up work from any thread. Once the engine is loaded, libtorch's C++ log level is
 * set as configured ({@link TorchLog}).
 */
public final class Djl {

    private Djl() {
    }

    private static boolean logLevelSet;

    /** The default engine, loading it on first use. */
    public static synchronized Engine engine() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(Engine.class.getClassLoader());
        try {
            Engine engine = Engine.getInstance();
            if (!logLevelSet && engine.getEngineName().equals("PyTorch")) {
                logLevelSet = true;
                TorchLog.apply();
            }
            return engine;
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    /**
     * Turns autograd recording off for the calling thread. libtorch's grad mode is per thread and on by
     * default; DJL switches it off only on the thread that loaded the engine, so every job thread (Gogo
     * runs each command on a pool thread) calls this first. Training turns it on inside its gradient
     * collector; inference then records no graph.
     */
    public static void noGradOnThisThread() {
        engine();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }

    /**
     * Runs {@code work} under libtorch's profiler (CPU; no shapes, no memory: they slow it) and writes its Chrome trace to
     * {@code trace}; {@link OpProfile} sums it per op. One profile at a time in the process.
     */
    public static <T> T profile(java.nio.file.Path trace, java.util.concurrent.Callable<T> work) throws Exception {
        engine();
        java.nio.file.Path parent = trace.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
        try {
            return work.call();
        } finally {
            ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
    }

    /** A new root manager on the default engine's CPU device. */
    public static NDManager newManager() {
        noGradOnThisThread();
        return engine().newBaseManager();
    }
}
