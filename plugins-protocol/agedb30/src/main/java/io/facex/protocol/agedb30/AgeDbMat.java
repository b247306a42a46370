package io.facex.protocol.agedb30;

import io.facex.protocol.verification.Pair;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes pairs as an AgeDB-30 protocol file, in the layout {@link AgeDbProtocolFile} reads (see this
 * module's README), so synthetic benchmarks can exercise the real format end to end.
 */
public final class AgeDbMat {

    private AgeDbMat() {
    }

    /**
     * Writes {@code pairs} as the variable {@code splits} of a version 5 MAT-file, such that
     * {@link AgeDbProtocolFile#read} gives back exactly the same list.
     *
     * @param pairs image names end in {@code .jpg} (stored without it, as AgeDB-30 stores them: the
     *              format cannot express another extension); listed fold by fold, folds 0 to 9, every
     *              fold with the same number of pairs
     * @throws IllegalArgumentException if the pairs cannot be expressed in the format
     */
    public static void write(Path file, List<Pair> pairs) throws IOException {
        int splits = AgeDbProtocolFile.SPLITS;
        if (pairs.isEmpty() || pairs.size() % splits != 0) {
            throw new IllegalArgumentException("AgeDB-30 has " + splits + " equal splits; cannot split "
                    + pairs.size() + " pairs");
        }
        int n = pairs.size() / splits;
        Cell all = Mat5.newCell(splits, 1);
        for (int s = 0; s < splits; s++) {
            Cell images = Mat5.newCell(2, n);
            Matrix labels = Mat5.newMatrix(1, n);
            for (int k = 0; k < n; k++) {
                Pair p = pairs.get(s * n + k);
                if (p.fold() != s) {
                    throw new IllegalArgumentException("pair " + (s * n + k) + " is in fold " + p.fold()
                            + ", but split by split with " + n + " pairs each it falls in fold " + s);
                }
                images.set(0, k, Mat5.newStruct().set("name", Mat5.newString(stem(p.image1()))));
                images.set(1, k, Mat5.newStruct().set("name", Mat5.newString(stem(p.image2()))));
                labels.setDouble(0, k, p.same() ? 1 : -1);
            }
            all.set(s, 0, Mat5.newStruct().set("pairs", images).set("labels", labels));
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (MatFile mat = Mat5.newMatFile().addArray("splits", all)) {
            Mat5.writeToFile(mat, file.toFile());
        }
    }

    private static String stem(String image) {
        // readers append '.jpg' unconditionally (and ours strips blanks), so any other name would come
        // back as a different file
        if (!image.endsWith(".jpg") || image.length() == ".jpg".length() || !image.strip().equals(image)) {
            throw new IllegalArgumentException("AgeDB-30 names are image paths ending in '.jpg' without "
                    + "surrounding blanks; cannot store '" + image + "'");
        }
        return image.substring(0, image.length() - ".jpg".length());
    }
}
