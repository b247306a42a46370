package io.facex.core.registry;

import io.facex.api.Plugin;

/** Checks a freshly published plugin before anyone can resolve it. */
public final class PluginValidation {

    private PluginValidation() {
    }

    /**
     * A plugin must have a name and description and accept its own defaults; failing that it is
     * reported as a problem rather than offered.
     */
    public static void checkDefaults(Plugin<?> p) {
        String name = p.name();
        if (name == null || name.isBlank()) {
            throw new IllegalStateException(p.getClass().getName() + " has no name");
        }
        if (p.description() == null) {
            throw new IllegalStateException(name + " has no description");
        }
        validateDefaults(p);
    }

    private static <C> void validateDefaults(Plugin<C> p) {
        C defaults = p.defaultConfig();
        if (defaults == null || !p.configType().isInstance(defaults)) {
            throw new IllegalStateException(p.name() + ": default configuration is not a " + p.configType().getName());
        }
        p.validate(defaults);
    }

    /** One line for a failure, with the root cause, which is what the user can act on. */
    public static String describe(Throwable t) {
        while (t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null) {
            t = t.getCause(); // reflection's wrapper says nothing the user can act on
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return root == t ? msg : t.getClass().getSimpleName() + " caused by " + msg;
    }
}
