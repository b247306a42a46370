package io.facex.data;

import java.nio.file.Path;

/**
 * Data the platform cannot use, located for the user like a compiler error:
 * {@code data/train_list.txt:17: label 'x1' is not an integer}.
 */
public class DataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String problem;

    public DataException(Path file, int line, String problem) {
        this(file, line, problem, null);
    }

    public DataException(Path file, int line, String problem, Throwable cause) {
        super(where(file, line) + problem, cause);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }

    static String where(Path file, int line) {
        if (file == null) {
            return "";
        }
        return file + (line > 0 ? ":" + line : "") + ": ";
    }

    /** The file at fault (a list file, or an image when there is no list), or null. */
    public Path file() {
        return file;
    }

    /** 1-based line in {@link #file()}, or 0 when not from a line. */
    public int line() {
        return line;
    }
}
