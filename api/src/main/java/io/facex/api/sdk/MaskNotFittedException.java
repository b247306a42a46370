package io.facex.api.sdk;

/**
 * The face's geometry does not take a mask: a profile, a mesh that folds over, landmarks off the image.
 * A property of the photo, not an error of the program: a batch skips the image and lists the reason.
 */
public class MaskNotFittedException extends RuntimeException {

    public MaskNotFittedException(String message) {
        super(message);
    }
}
