package io.facex.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * DJL entry point for code running in bundles. DJL looks up its engine and native libraries through
 * the thread context class loader, once; inside the container that loader may be the framework's, which
 * cannot see DJL (it lives on the launcher's class path). Pinning the TCCL to DJL's own loader for the
 * first call makes the look-up work from any thread.
 */
public final class Djl {

    private Djl() {
    }

    /** The default engine, loading it on first use. */
    public static synchronized Engine engine() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(Engine.class.getClassLoader());
        try {
            return Engine.getInstance();
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    /** A new root manager on the default engine's CPU device. */
    public static NDManager newManager() {
        return engine().newBaseManager();
    }
}
