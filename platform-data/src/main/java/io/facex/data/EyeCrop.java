package io.facex.data;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * FaceX-Zoo's {@code crop_eye}, the upper-half face of its masked-face recipes: rows 0–59, all 112
 * columns, of the aligned 112×112 face ({@code image[:60, :]} in its training and test data sets), so
 * a network sees what a mask leaves uncovered. A model trained on it is evaluated on it, with a
 * backbone whose last map is 4 rows high (MobileFaceNet {@code out_h: 4}).
 */
public final class EyeCrop {

    /** Side of the aligned face the crop is taken from. */
    public static final int FACE = 112;
    /** Rows kept, counted from the top. */
    public static final int ROWS = 60;

    private EyeCrop() {
    }

    /** A view (no copy) of the top {@link #ROWS} rows of an aligned {@link #FACE}×{@link #FACE} face; close it. */
    public static Mat of(Mat aligned) {
        if (aligned.rows() != FACE || aligned.cols() != FACE) {
            throw new IllegalArgumentException("crop_eye takes the top rows of a " + FACE + "x" + FACE + " face, got "
                    + aligned.cols() + "x" + aligned.rows());
        }
        return ImageOps.crop(aligned, 0, ROWS, 0, FACE);
    }

    /**
     * Why a network taking {@code width × height} faces cannot be fed upper-half crops, or null when it can.
     * A mismatch is refused rather than resized: squeezing 60 rows into a 112-row network, or the reverse,
     * trains and evaluates on faces nobody meant.
     */
    public static String mismatch(int width, int height) {
        if (width == FACE && height == ROWS) {
            return null;
        }
        return "crop_eye gives " + FACE + "x" + ROWS + " faces (the top " + ROWS + " rows of the aligned " + FACE + "x"
                + FACE + " face), but the backbone takes " + width + "x" + height
                + " (for MobileFaceNet and the other FaceX-Zoo backbones set out_h: 4)";
    }
}
