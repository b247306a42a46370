package io.facex.data;

import java.io.IOException;

/**
 * An image file the pipeline cannot use: bytes OpenCV cannot decode, or a decoded image of the wrong
 * size. The message starts with where the bytes came from.
 */
public class BadImageException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    public BadImageException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
    }

    /** What is wrong, without the source. */
    public String problem() {
        return problem;
    }

    /** The file (or other description) the bytes came from. */
    public String source() {
        return source;
    }
}
