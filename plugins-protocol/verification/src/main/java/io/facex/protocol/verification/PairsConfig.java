package io.facex.protocol.verification;

/**
 * One benchmark section of FaceX-Zoo's {@code data_conf.yaml}, keys unchanged.
 *
 * @param pairsFilePath      the official pair list
 * @param croppedFaceFolder  the aligned 112×112 faces the list's paths are relative to
 * @param imageListFilePath  FaceX-Zoo's list of every image to extract; accepted for compatibility, but
 *                           the images come from the pair list itself, so a pair naming an image that is
 *                           not on disk is counted rather than silently missing from both lists
 */
public record PairsConfig(String pairsFilePath, String croppedFaceFolder, String imageListFilePath) {

    public static PairsConfig defaults() {
        return new PairsConfig("", "", "");
    }
}
