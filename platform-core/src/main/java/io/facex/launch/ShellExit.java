package io.facex.launch;

import java.util.function.IntConsumer;

/**
 * {@code exit [STATUS]} in the interactive shell. Gogo's profile makes every method of
 * {@code java.lang.System} a command, so a bare {@code exit} meant {@code System.exit(int)}: it failed
 * without an argument, and with one it ended the JVM under the running container. This one stops the
 * container, and the launcher exits with the status once it has closed.
 */
public final class ShellExit {

    /** Gogo looks in its own scope first ({@code SCOPE = 'gogo:*'} in its profile), before {@code system:}. */
    static final String SCOPE = "gogo";

    private final IntConsumer stop;

    ShellExit(IntConsumer stop) {
        this.stop = stop;
    }

    public void exit() {
        stop.accept(0);
    }

    public void exit(int status) {
        stop.accept(status);
    }
}
