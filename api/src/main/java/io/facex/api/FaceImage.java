package io.facex.api;

import java.util.Objects;

/**
 * A decoded image as the SDK contracts exchange it: 8-bit BGR, rows top to bottom, pixels interleaved
 * ({@code height × width × channels} bytes), OpenCV's layout, so no plugin depends on an imaging library.
 */
public record FaceImage(int width, int height, int channels, byte[] pixels) {

    public FaceImage {
        if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("bad image geometry " + width + "x" + height + "x" + channels);
        }
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != width * height * channels) {
            throw new IllegalArgumentException("expected " + width * height * channels + " bytes, got " + pixels.length);
        }
    }
}
