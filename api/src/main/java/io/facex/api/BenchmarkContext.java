package io.facex.api;

import org.osgi.annotation.versioning.ProviderType;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/** What the platform gives a {@link Benchmark}: the other plugins by name, a console, a stop flag. */
@ProviderType
public interface BenchmarkContext {

    /**
     * The installed plugin of this kind and name (a backbone to time, a head, a mode).
     *
     * @throws IllegalArgumentException naming the installed ones when there is none
     */
    <P extends Plugin<?>> P plugin(Class<P> kind, String name);

    /** Where progress may go; the result line is printed by the platform. */
    PrintStream console();

    /** Raised when the user asked the process to stop (Ctrl-C): return early with what was measured. */
    BooleanSupplier stopRequested();
}
