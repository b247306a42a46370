package io.facex.api.sdk;

import io.facex.api.FaceImage;
import io.facex.api.Plugin;

import java.util.List;

/** Finds faces in a photo (FaceX-Zoo SDK's RetinaFace handler). */
public interface FaceDetector<C> extends Plugin<C> {

    /** Faces above the configured confidence, best first. */
    List<DetectedFace> detect(FaceImage image, C config);
}
