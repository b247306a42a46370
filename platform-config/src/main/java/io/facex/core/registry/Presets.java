package io.facex.core.registry;

import io.facex.api.Plugin;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;

/**
 * A preset seen as a plugin of its own: {@code IR-SE-50} is ResNet under another name, whose defaults
 * are the preset's configuration. Everything else (building, validating, sizes) is the family's, so a
 * preset works wherever a plugin name is accepted — training, checkpoints (which record the preset's
 * name and full configuration), evaluation, benchmarks — with no code of its own.
 */
final class Presets {

    private Presets() {
    }

    /** The preset {@code name} of a plugin of {@code type}, viewed as a plugin, if one of them has it. */
    static <P extends Plugin<?>> Optional<P> find(Class<P> type, Iterable<? extends Plugin<?>> family, String name) {
        for (Plugin<?> p : family) {
            if (type.isInstance(p) && p.presets().containsKey(name)) {
                return Optional.of(view(type, type.cast(p), name));
            }
        }
        return Optional.empty();
    }

    /** The family plugin behind a preset view, or the plugin itself. */
    static Plugin<?> family(Plugin<?> plugin) {
        if (Proxy.isProxyClass(plugin.getClass()) && Proxy.getInvocationHandler(plugin) instanceof View v) {
            return v.family;
        }
        return plugin;
    }

    private static <P extends Plugin<?>> P view(Class<P> type, P family, String name) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new View(family, name));
        return type.cast(proxy);
    }

    private record View(Plugin<?> family, String name) implements InvocationHandler {

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getParameterCount() == 0) {
                switch (method.getName()) {
                    case "name":
                        return name;
                    case "defaultConfig":
                        return family.presets().get(name);
                    case "description":
                        return family.description() + " — preset " + name + " of " + family.name();
                    case "presets":
                        return Map.of();
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "toString":
                        return name + " (preset of " + family.name() + ")";
                    default:
                        break;
                }
            }
            if (method.getName().equals("equals") && method.getParameterCount() == 1) {
                return proxy == args[0];
            }
            try {
                return method.invoke(family, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
