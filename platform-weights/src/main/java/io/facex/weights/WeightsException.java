package io.facex.weights;

import java.io.IOException;

/** A weights file that cannot be read or does not fit; the message names the file (and key, if any). */
public class WeightsException extends IOException {

    private static final long serialVersionUID = 1L;

    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An I/O failure while reading a zip-based file (.pt, .npz), said in the reader's words. */
    static WeightsException reading(String name, IOException e) {
        if (e instanceof WeightsException w) {
            return w;
        }
        if (e instanceof java.util.zip.ZipException) {
            return new WeightsException("cannot read " + name + ": not a readable zip archive (truncated or corrupt?): "
                    + e.getMessage(), e);
        }
        return new WeightsException("cannot read " + name + ": " + e, e);
    }
}
