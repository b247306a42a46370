package io.facex.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The problems of a configuration, gathered so that one run names them all: fixing a file one error
 * per run is how a user loses an afternoon.
 */
public final class ConfigProblems {

    private final List<ConfigException> found = new ArrayList<>();

    /** Records each problem {@code e} reports. */
    public void add(ConfigException e) {
        for (ConfigException p : e.problems()) {
            if (found.stream().noneMatch(f -> f.getMessage().equals(p.getMessage()))) {
                found.add(p);
            }
        }
    }

    /** The binding's result, or {@code fallback} (with its problems recorded) when it fails. */
    public <T> T bind(Supplier<T> binding, T fallback) {
        try {
            return binding.get();
        } catch (ConfigException e) {
            add(e);
            return fallback;
        }
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }

    /** Throws every problem found as one {@link ConfigException}, if any was. */
    public void throwIfAny() {
        if (!found.isEmpty()) {
            throw ConfigException.of(List.copyOf(found));
        }
    }
}
