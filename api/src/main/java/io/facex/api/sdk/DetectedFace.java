package io.facex.api.sdk;

/**
 * One detection.
 *
 * @param x1 left, in pixels
 * @param y1 top
 * @param x2 right
 * @param y2 bottom
 * @param score confidence in [0, 1]
 * @param landmarks x0, y0, x1, y1, ... in pixels (RetinaFace gives five points), or an empty array
 */
public record DetectedFace(float x1, float y1, float x2, float y2, float score, float[] landmarks) {
}
