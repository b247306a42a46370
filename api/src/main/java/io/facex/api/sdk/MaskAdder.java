package io.facex.api.sdk;

import io.facex.api.FaceImage;
import io.facex.api.Plugin;

/**
 * Puts a synthetic face mask on a face (FaceX-Zoo's FMA-3D), to build masked training and test sets.
 * Implementations are deterministic: the same image, landmarks, template and seed give the same pixels.
 */
public interface MaskAdder<C> extends Plugin<C> {

    /** Passed as {@code template}: draw one of the available templates from the seed. */
    int ANY_TEMPLATE = -1;

    /**
     * @param landmarks 212 values (PFLD's 106 points) or 10 values (RetinaFace's five: left eye, right eye,
     *                  nose tip, left and right mouth corner), x, y pairs in the image's pixels
     * @param template  the mask template's number, or {@link #ANY_TEMPLATE}
     * @param seed      seeds every random choice of the call (template when {@code ANY_TEMPLATE}, colour jitter)
     * @throws MaskNotFittedException when the face's geometry does not take a mask (profile, landmarks off the image)
     * @throws IllegalArgumentException for a landmark count other than 10 or 212, or a template that does not exist
     */
    MaskedFace addMask(FaceImage image, float[] landmarks, int template, long seed, C config);
}
