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
}
