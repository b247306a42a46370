package io.facex.api.sdk;

import io.facex.api.FaceImage;
import io.facex.api.Plugin;

/** Locates facial landmarks inside a detected face (FaceX-Zoo SDK's 106-point PFLD handler). */
public interface LandmarkDetector<C> extends Plugin<C> {

    /** x0, y0, x1, y1, ... in image pixels. */
    float[] landmarks(FaceImage image, DetectedFace face, C config);
}
