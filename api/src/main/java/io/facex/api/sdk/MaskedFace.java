package io.facex.api.sdk;

import io.facex.api.FaceImage;

/**
 * A masked photo.
 *
 * @param image    the photo with the mask blended in, same size and channels as the input
 * @param alpha    the mask's opacity per pixel (1 channel, 0 = face untouched, 255 = mask only), same size
 * @param template the template that was used (the drawn one when {@link MaskAdder#ANY_TEMPLATE} was asked)
 */
public record MaskedFace(FaceImage image, FaceImage alpha, int template) {
}
