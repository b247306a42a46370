package io.facex.launch;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.ExecutionException;

/**
 * The one line a user reads when a command fails. Our exceptions already say what is wrong and where
 * (file, line, key); wrappers added on the way up say nothing, so they are looked through. A message
 * never shows a Java class name: that is the program's vocabulary, not the user's.
 */
final class ErrorMessages {

    private ErrorMessages() {
    }

    static String of(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur && isWrapper(cur)) {
            cur = cur.getCause();
        }
        String m = cur.getMessage();
        if (cur instanceof NoSuchFileException) {
            return "no such file: " + m;
        }
        if (cur instanceof AccessDeniedException) {
            return "permission denied: " + m;
        }
        if (m == null || m.isBlank()) {
            return plain(cur);
        }
        return m;
    }

    /** An exception that only carries another: no message of its own, or just the cause's. */
    private static boolean isWrapper(Throwable t) {
        String m = t.getMessage();
        Throwable c = t.getCause();
        return t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException
                || t instanceof ExecutionException || m == null || m.isBlank() || m.equals(c.toString())
                || (c.getMessage() != null && m.endsWith(c.getMessage()) && m.length() - c.getMessage().length() < 80
                        && m.substring(0, m.length() - c.getMessage().length()).matches("[\\w.$]+(Exception|Error): "));
    }

    /** Words for the exceptions that come without a message. */
    private static String plain(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "out of memory (give the JVM more with FACEX_OPTS=-Xmx8g, or use smaller batches)";
        }
        if (t instanceof StackOverflowError) {
            return "stack overflow (a configuration or file nested too deeply?)";
        }
        if (t instanceof java.io.EOFException) {
            return "unexpected end of file";
        }
        if (t instanceof InterruptedException) {
            return "interrupted";
        }
        return "internal error (" + t.getClass().getSimpleName().replaceAll("(Exception|Error)$", "")
                .replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT)
                + "); run with --verbose and report it";
    }
}
