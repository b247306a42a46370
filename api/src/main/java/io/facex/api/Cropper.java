package io.facex.api;

/**
 * Aligns a face to the recognition input (FaceX-Zoo's {@code FaceRecImageCropper}: a similarity
 * transform of five landmarks to the ArcFace template, 112×112).
 */
public interface Cropper<C> extends Plugin<C> {

    /**
     * @param landmarks x0, y0, x1, y1, ... in image pixels (5 or 106 points)
     */
    FaceImage crop(FaceImage image, float[] landmarks, C config);
}
