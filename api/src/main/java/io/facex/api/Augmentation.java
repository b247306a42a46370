package io.facex.api;

/**
 * Which random augmentations a training sample gets, each with its own probability. Applied in
 * FaceX-Zoo's semi-siamese order: crop, flip, gray, rotate.
 *
 * @param flipProbability    horizontal flip; FaceX-Zoo's conventional training flips when
 *                           {@code random() > 0.5}, i.e. with probability 0.5
 * @param cropProbability    random crop: rows {@code x1:x2}, columns {@code y1:y2} with {@code x1, y1}
 *                           in {@code [0, cropMargin-1]} and {@code x2, y2} in
 *                           {@code [size-cropMargin, size-1]}, resized back with bilinear interpolation
 * @param cropMargin         FaceX-Zoo's {@code crop_size} (9: offsets 0..8, ends 103..111 for 112 pixels)
 * @param grayProbability    BGR to gray
 * @param grayReplicate      false: FaceX-Zoo's layout, gray value in channel 0 and channels 1-2 left at 0
 *                           (which reads as pixel value 127.5); true: gray value in all three channels
 * @param rotateProbability  rotation by a whole number of degrees about the top-left corner (FaceX-Zoo's
 *                           {@code warpAffine} with {@code [[c,-s,0],[s,c,0]]}, bilinear, black border)
 * @param maxRotationDegrees the angle is drawn uniformly from {@code [-max, max]}
 */
public record Augmentation(double flipProbability, double cropProbability, int cropMargin, double grayProbability,
        boolean grayReplicate, double rotateProbability, int maxRotationDegrees) {

    public Augmentation {
        check("flipProbability", flipProbability);
        check("cropProbability", cropProbability);
        check("grayProbability", grayProbability);
        check("rotateProbability", rotateProbability);
        if (cropMargin < 1) {
            throw new IllegalArgumentException("cropMargin must be at least 1, got " + cropMargin);
        }
        if (maxRotationDegrees < 0 || maxRotationDegrees > 180) {
            throw new IllegalArgumentException("maxRotationDegrees must be in [0, 180], got " + maxRotationDegrees);
        }
    }

    /** Test time: nothing random. */
    public static Augmentation none() {
        return new Augmentation(0, 0, 9, 0, false, 0, 10);
    }

    /** FaceX-Zoo's conventional training: horizontal flip with probability 0.5. */
    public static Augmentation conventional() {
        return none().withFlip(0.5);
    }

    /**
     * FaceX-Zoo's semi-siamese transform: crop 0.5 (margin 9), flip 0.5, gray 0.2 (channel 0 only),
     * rotate 0.5 within +-10 degrees.
     */
    public static Augmentation semiSiamese() {
        return new Augmentation(0.5, 0.5, 9, 0.2, false, 0.5, 10);
    }

    public Augmentation withFlip(double p) {
        return new Augmentation(p, cropProbability, cropMargin, grayProbability, grayReplicate, rotateProbability,
                maxRotationDegrees);
    }

    public Augmentation withCrop(double p, int margin) {
        return new Augmentation(flipProbability, p, margin, grayProbability, grayReplicate, rotateProbability,
                maxRotationDegrees);
    }

    public Augmentation withGray(double p, boolean replicate) {
        return new Augmentation(flipProbability, cropProbability, cropMargin, p, replicate, rotateProbability,
                maxRotationDegrees);
    }

    public Augmentation withRotation(double p, int maxDegrees) {
        return new Augmentation(flipProbability, cropProbability, cropMargin, grayProbability, grayReplicate, p,
                maxDegrees);
    }

    /** True when no augmentation can fire, so samples need no random numbers. */
    public boolean isNone() {
        return flipProbability == 0 && cropProbability == 0 && grayProbability == 0 && rotateProbability == 0;
    }

    private static void check(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + p);
        }
    }
}
