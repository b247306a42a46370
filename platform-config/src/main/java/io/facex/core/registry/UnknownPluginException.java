package io.facex.core.registry;

import io.facex.api.PluginKind;

import java.util.Collection;
import java.util.Comparator;

/** A name configuration asked for that no installed plugin of that kind has. */
public class UnknownPluginException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UnknownPluginException(PluginKind kind, String name, Collection<String> available) {
        this(kind.id(), name, available);
    }

    /**
     * @param what the kind's id, or "plugin" when any kind would do
     */
    public UnknownPluginException(String what, String name, Collection<String> available) {
        super(message(what, name, available));
    }

    private static String message(String what, String name, Collection<String> available) {
        StringBuilder sb = new StringBuilder("unknown ").append(what).append(" '").append(name).append("'");
        available.stream()
                .min(Comparator.comparingInt(a -> Names.distance(a, name)))
                .filter(best -> Names.distance(best, name) <= Math.max(2, name.length() / 3))
                .ifPresent(best -> sb.append(" (did you mean '").append(best).append("'?)"));
        sb.append("; available ").append(what).append("s: ")
                .append(available.isEmpty() ? "none installed" : String.join(", ", available));
        return sb.toString();
    }
}
