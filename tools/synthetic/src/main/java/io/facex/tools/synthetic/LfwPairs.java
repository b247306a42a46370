package io.facex.tools.synthetic;

import io.facex.data.DataException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A verification pair list in LFW's {@code pairs.txt} format: a header {@code <folds>\t<n>}, then for
 * each fold {@code n} same-person lines {@code name\tidx1\tidx2} followed by {@code n} different-person
 * lines {@code name1\tidx1\tname2\tidx2}. Indices are 1-based and name the image
 * {@code <name>/<name>_<%04d idx>.jpg}.
 */
public final class LfwPairs {

    /** Two images; {@link #same()} when both are of one person. */
    public record Pair(String name1, int index1, String name2, int index2) {
        public boolean same() {
            return name1.equals(name2);
        }

        /** First image, relative to the test root, with LFW's naming and the given extension. */
        public String path1(String extension) {
            return imagePath(name1, index1, extension);
        }

        public String path2(String extension) {
            return imagePath(name2, index2, extension);
        }
    }

    private final int folds;
    private final int perSide;
    private final List<Pair> pairs;

    /**
     * @param pairs fold by fold, each fold's {@code perSide} same pairs then its {@code perSide} different pairs
     */
    public LfwPairs(int folds, int perSide, List<Pair> pairs) {
        if (pairs.size() != 2L * folds * perSide) {
            throw new IllegalArgumentException(folds + " folds of 2 x " + perSide + " pairs need " + 2L * folds * perSide
                    + " pairs, got " + pairs.size());
        }
        this.folds = folds;
        this.perSide = perSide;
        this.pairs = List.copyOf(pairs);
    }

    /** LFW's image naming: {@code George_W_Bush/George_W_Bush_0007.jpg}. */
    public static String imagePath(String name, int index, String extension) {
        return String.format(Locale.ROOT, "%s/%s_%04d.%s", name, name, index, extension);
    }

    public int folds() {
        return folds;
    }

    /** Same pairs (and different pairs) per fold. */
    public int pairsPerSide() {
        return perSide;
    }

    public List<Pair> pairs() {
        return pairs;
    }

    /** The pairs of fold {@code f} (0-based). */
    public List<Pair> fold(int f) {
        int n = 2 * perSide;
        return pairs.subList(f * n, (f + 1) * n);
    }

    public void write(Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(folds + "\t" + perSide + "\n");
            for (Pair p : pairs) {
                out.write(p.same() ? p.name1() + "\t" + p.index1() + "\t" + p.index2() + "\n"
                        : p.name1() + "\t" + p.index1() + "\t" + p.name2() + "\t" + p.index2() + "\n");
            }
        }
    }

    /**
     * Reads a pairs file, checking the layout the header announces.
     *
     * @throws DataException naming the file and line of a malformed header or pair, a same-person line
     *     where a different-person one belongs (or the reverse), or a wrong number of lines
     */
    public static LfwPairs read(Path file) throws IOException {
        List<Pair> pairs = new ArrayList<>();
        int folds = -1;
        int perSide = -1;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String raw; (raw = in.readLine()) != null; ) {
                lineNo++;
                String line = raw.strip();
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split("\\s+");
                if (folds < 0) {
                    if (f.length != 2) {
                        throw new DataException(file, lineNo, "expected the header '<folds>\\t<pairs per side>', got '"
                                + line + "'");
                    }
                    folds = positive(file, lineNo, f[0], "fold count");
                    perSide = positive(file, lineNo, f[1], "pairs per side");
                    continue;
                }
                int k = pairs.size() % (2 * perSide);
                boolean wantSame = k < perSide;
                if (pairs.size() >= 2L * folds * perSide) {
                    throw new DataException(file, lineNo, "more pairs than the header's " + folds + " folds x 2 x "
                            + perSide);
                }
                if (f.length == 3 && wantSame) {
                    pairs.add(new Pair(f[0], positive(file, lineNo, f[1], "image index"), f[0],
                            positive(file, lineNo, f[2], "image index")));
                } else if (f.length == 4 && !wantSame) {
                    pairs.add(new Pair(f[0], positive(file, lineNo, f[1], "image index"), f[2],
                            positive(file, lineNo, f[3], "image index")));
                } else {
                    throw new DataException(file, lineNo, "expected a " + (wantSame ? "same-person line 'name idx1 idx2'"
                            : "different-person line 'name1 idx1 name2 idx2'") + " (fold " + (pairs.size() / (2 * perSide)
                            + 1) + ", pair " + (k + 1) + "), got '" + line + "'");
                }
            }
        } catch (NoSuchFileException e) {
            throw new DataException(file, 0, "pairs file not found", e);
        }
        if (folds < 0) {
            throw new DataException(file, 0, "pairs file is empty");
        }
        if (pairs.size() != 2L * folds * perSide) {
            throw new DataException(file, 0, "header announces " + folds + " folds x 2 x " + perSide + " = "
                    + 2L * folds * perSide + " pairs, file has " + pairs.size());
        }
        return new LfwPairs(folds, perSide, pairs);
    }

    private static int positive(Path file, int line, String text, String what) {
        try {
            int v = Integer.parseInt(text);
            if (v < 1) {
                throw new DataException(file, line, what + " must be at least 1, got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DataException(file, line, what + " '" + text + "' is not an integer");
        }
    }
}
