package io.facex.nn;

import java.util.function.Supplier;

/** A per-thread switch that is on only while a given pass runs, and back as it was afterwards (nested calls too). */
final class ThreadFlag {

    private final ThreadLocal<Boolean> on = ThreadLocal.withInitial(() -> false);

    boolean isOn() {
        return on.get();
    }

    <T> T during(Supplier<T> pass) {
        boolean before = on.get();
        on.set(true);
        try {
            return pass.get();
        } finally {
            on.set(before);
        }
    }
}
