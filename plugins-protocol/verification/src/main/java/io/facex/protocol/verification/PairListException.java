package io.facex.protocol.verification;

import java.io.IOException;
import java.nio.file.Path;

/** A pair list that cannot be read as its benchmark's format: names the file and, where known, the line. */
public class PairListException extends IOException {

    private final Path file;
    private final int line;

    public PairListException(Path file, int line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based, or 0 when the problem is the file as a whole. */
    public int line() {
        return line;
    }
}
