package io.facex.api.sdk;

import io.facex.api.FaceImage;
import io.facex.api.Plugin;

/** Embeds an aligned face (the cropper's output) as an L2-normalised feature. */
public interface FaceRecognizer<C> extends Plugin<C> {

    float[] embed(FaceImage alignedFace, C config);
}
