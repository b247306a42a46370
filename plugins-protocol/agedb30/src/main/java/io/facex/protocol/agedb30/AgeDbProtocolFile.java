package io.facex.protocol.agedb30;

import io.facex.protocol.verification.Pair;
import io.facex.protocol.verification.PairListException;
import io.facex.protocol.verification.PairLists;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Struct;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AgeDB-30's protocol, {@code 04_FINAL_protocol_30_years.mat}, read as FaceX-Zoo's parser reads it:
 * the variable {@code splits} is a 10×1 cell array of 1×1 structs; a split's first field is a 2×n cell
 * array whose column k holds the two images of pair k (each a 1×1 struct whose first field is the image
 * name without extension), its second field the 1×n labels (1 same person, −1 not), n the same in every
 * split. Fields are taken by position, as FaceX-Zoo indexes them, so their names do not matter. Pairs
 * come split by split, and split s is fold s. This layout is the one FaceX-Zoo's indexing reads (proved
 * with scipy; see the README), which is also what the synthetic benchmarks of platform-data write.
 */
public final class AgeDbProtocolFile {

    public static final int SPLITS = 10;

    private AgeDbProtocolFile() {
    }

    public static List<Pair> read(Path file) throws IOException {
        checkHeader(file);
        try (MatFile mat = Mat5.readFromFile(file.toFile())) {
            Array splits = variable(mat, file);
            if (!(splits instanceof Cell cells) || splits.getNumRows() != SPLITS || splits.getNumCols() != 1) {
                throw new PairListException(file, 0, "'splits' should be a " + SPLITS
                        + "×1 cell array of splits, found " + describe(splits));
            }
            List<Pair> out = new ArrayList<>();
            for (int s = 0; s < SPLITS; s++) {
                int before = out.size();
                readSplit(file, s, cells.get(s), out);
                int n = out.size() - before;
                int first = s == 0 ? n : before / s;
                // FaceX-Zoo reads 600 pairs of every split whatever it holds; unequal folds mean a damaged file
                if (n != first) {
                    throw new PairListException(file, 0, "split " + (s + 1) + " has " + n + " pairs but split 1 has "
                            + first + "; AgeDB-30's splits are of equal size");
                }
            }
            return out;
        } catch (PairListException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            // mfl-core reports a damaged file as whatever broke first (EOF, a negative size, a bad tag)
            throw new PairListException(file, 0, "cannot be read as a MAT-file: " + e);
        }
    }

    private static void readSplit(Path file, int s, Array split, List<Pair> out) throws PairListException {
        String where = "split " + (s + 1);
        if (!(split instanceof Struct st) || st.getNumElements() != 1 || st.getFieldNames().size() < 2) {
            throw new PairListException(file, 0, where + ": expected a struct of (pairs, labels), found " + describe(split));
        }
        Array pairs = st.get(st.getFieldNames().get(0));
        Array labels = st.get(st.getFieldNames().get(1));
        if (!(pairs instanceof Cell images) || pairs.getNumRows() != 2) {
            throw new PairListException(file, 0, where + ": its first field ('" + st.getFieldNames().get(0)
                    + "') should be a 2×n cell array of image pairs, found " + describe(pairs));
        }
        int n = pairs.getNumCols();
        if (!(labels instanceof Matrix values) || labels.getNumRows() != 1) {
            throw new PairListException(file, 0, where + ": its second field ('" + st.getFieldNames().get(1)
                    + "') should be a 1×n row of labels, found " + describe(labels));
        }
        if (labels.getNumCols() != n) {
            throw new PairListException(file, 0, where + " has " + n + " pairs of names but " + labels.getNumCols()
                    + " labels");
        }
        for (int k = 0; k < n; k++) {
            String pair = where + ", pair " + (k + 1);
            double label = values.getDouble(k);
            if (label != 1 && label != -1) {
                throw new PairListException(file, 0, pair + ": labels are 1 (same person) or -1 (not), found " + label);
            }
            out.add(new Pair(image(file, pair, images.get(0, k)), image(file, pair, images.get(1, k)), label == 1, s));
        }
    }

    /** The image file name, relative to the face folder: the struct's first field plus FaceX-Zoo's '.jpg'. */
    private static String image(Path file, String pair, Array a) throws PairListException {
        if (a instanceof Struct st && st.getNumElements() == 1 && !st.getFieldNames().isEmpty()
                && st.get(st.getFieldNames().get(0)) instanceof Char name && !name.getString().isBlank()) {
            return name.getString().strip() + ".jpg";
        }
        throw new PairListException(file, 0, pair + ": expected an image as a struct whose first field is its name, found "
                + describe(a));
    }

    private static Array variable(MatFile mat, Path file) throws PairListException {
        List<String> names = new ArrayList<>();
        for (MatFile.Entry e : mat.getEntries()) {
            if (e.getName().equals("splits")) {
                return e.getValue();
            }
            names.add(e.getName());
        }
        throw new PairListException(file, 0, "no variable 'splits' (AgeDB-30's protocol has one); the file holds " + names);
    }

    /** A text list, another MAT version or not a MAT-file at all: say which, before the reader fails obscurely. */
    private static void checkHeader(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new PairListException(file, 0, "no such protocol file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(116);
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (text.startsWith("MATLAB 7.3")) {
            throw new PairListException(file, 0, "a MATLAB 7.3 (HDF5) file; AgeDB-30's protocol is a version 5 MAT-file "
                    + "(in MATLAB: save(..., '-v7'))");
        }
        if (!PairLists.isMatFile(file)) {
            String like = PairLists.looksLike(file);
            throw new PairListException(file, 0, "not a MAT-file; expected AgeDB-30's 04_FINAL_protocol_30_years.mat"
                    + (like != null ? ", this looks like " + like : ""));
        }
    }

    private static String describe(Array a) {
        return a == null ? "nothing" : a.getType() + " " + String.join("×",
                Arrays.stream(a.getDimensions()).mapToObj(Integer::toString).toList());
    }
}
