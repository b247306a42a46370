package io.facex.tools.synthetic;

import io.facex.data.Seeds;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Struct;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Verification benchmarks in their official file formats over the held-out identities of a
 * {@link SyntheticFaces} set, so every parser and protocol runs end to end without the real datasets:
 * LFW's {@code pairs.txt}, RFW's four {@code <Race>_pairs.txt} (the identities dealt into four groups),
 * CPLFW's and CALFW's two-line lists (same-person pairs first), AgeDB-30's MATLAB
 * {@code 04_FINAL_protocol_30_years.mat}, and a FaceX-Zoo {@code data_conf.yaml} naming them all with
 * absolute paths.
 */
public final class SyntheticBenchmarks {

    public static final List<String> RACES = List.of("African", "Asian", "Caucasian", "Indian");

    /**
     * What was written.
     *
     * @param pairs each benchmark's pairs by its data_conf.yaml section ({@code LFW}, ..., {@code RFW_Indian}),
     *              in the order FaceX-Zoo evaluates them (fold by fold: same-person, then different-person),
     *              so a parser can be checked against them
     */
    public record Result(Path dataConf, Path lfw, Path cplfw, Path calfw, List<Path> rfw, Path agedb30,
                         Map<String, List<ListedPair>> pairs) {
    }

    /** One pair as its benchmark file lists it: image paths relative to the face folder. */
    public record ListedPair(String image1, String image2, boolean same) {
        static ListedPair of(LfwPairs.Pair p) {
            return new ListedPair(p.path1("jpg"), p.path2("jpg"), p.same());
        }
    }

    private SyntheticBenchmarks() {
    }

    /**
     * @param faces        a generated set with held-out identities
     * @param names        the held-out identity names (as in its test folder)
     * @param images       images per identity
     * @param pairsPerFold same-person pairs per fold (and as many different-person pairs)
     */
    public static Result write(SyntheticFaces.Result faces, List<String> names, int images, int pairsPerFold, long seed,
                               Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, List<ListedPair>> listed = new LinkedHashMap<>();
        // the set's own LFW-format pairs.txt, when it has one, so LFW here is the pairs the set was made with
        Path lfw = faces.pairs();
        if (lfw == null) {
            lfw = out.resolve("lfw_pairs.txt");
            new LfwPairs(10, pairsPerFold, draw(names, images, pairsPerFold, Seeds.random(seed, 11))).write(lfw);
        }
        listed.put("LFW", LfwPairs.read(lfw).pairs().stream().map(ListedPair::of).toList());

        Path cplfw = out.resolve("pairs_CPLFW.txt");
        Path calfw = out.resolve("pairs_CALFW.txt");
        List<LfwPairs.Pair> c = draw(names, images, pairsPerFold, Seeds.random(seed, 12));
        Files.writeString(cplfw, twoLine(c, names, false), StandardCharsets.UTF_8);
        List<LfwPairs.Pair> a = draw(names, images, pairsPerFold, Seeds.random(seed, 13));
        Files.writeString(calfw, twoLine(a, names, true), StandardCharsets.UTF_8);
        listed.put("CPLFW", c.stream().map(ListedPair::of).toList());
        listed.put("CALFW", a.stream().map(ListedPair::of).toList());

        Path agedb = out.resolve("04_FINAL_protocol_30_years.mat");
        List<LfwPairs.Pair> g = draw(names, images, pairsPerFold, Seeds.random(seed, 15));
        writeAgeDb(agedb, g);
        listed.put("AgeDB30", g.stream().map(ListedPair::of).toList());

        List<Path> rfw = new ArrayList<>();
        for (int r = 0; r < RACES.size(); r++) {
            List<String> group = new ArrayList<>();
            // too few people to deal into four groups of two: every race draws from all of them
            boolean deal = names.size() >= 2 * RACES.size();
            for (int i = deal ? r : 0; i < names.size(); i += deal ? RACES.size() : 1) {
                group.add(names.get(i));
            }
            Path file = out.resolve(RACES.get(r) + "_pairs.txt");
            StringBuilder s = new StringBuilder();
            List<LfwPairs.Pair> race = draw(group, images, pairsPerFold, Seeds.random(seed, 14, r));
            listed.put("RFW_" + RACES.get(r), race.stream().map(ListedPair::of).toList());
            for (LfwPairs.Pair p : race) {
                s.append(p.same() ? String.format(Locale.ROOT, "%s\t%d\t%d%n", p.name1(), p.index1(), p.index2())
                        : String.format(Locale.ROOT, "%s\t%d\t%s\t%d%n", p.name1(), p.index1(), p.name2(), p.index2()));
            }
            Files.writeString(file, s, StandardCharsets.UTF_8);
            rfw.add(file);
        }

        Path conf = out.resolve("data_conf.yaml");
        StringBuilder y = new StringBuilder("# Synthetic benchmarks in FaceX-Zoo's data_conf.yaml layout (io.facex.tools.synthetic.SyntheticBenchmarks)\n");
        section(y, "LFW", lfw, faces);
        section(y, "CPLFW", cplfw, faces);
        section(y, "CALFW", calfw, faces);
        section(y, "AgeDB30", agedb, faces);
        for (int r = 0; r < RACES.size(); r++) {
            section(y, "RFW_" + RACES.get(r), rfw.get(r), faces);
        }
        Files.writeString(conf, y, StandardCharsets.UTF_8);
        return new Result(conf, lfw, cplfw, calfw, rfw, agedb, java.util.Collections.unmodifiableMap(listed));
    }

    /**
     * AgeDB-30's protocol as FaceX-Zoo's parser indexes it (by position, so the field names are ours):
     * {@code splits}, a 10×1 cell array; each cell a struct of {@code pairs}, a 2×n cell array whose
     * column k holds the two images of pair k, each a struct {@code (name, age)} with the image path
     * without its extension, and {@code labels}, 1×n doubles (1 same person, −1 not).
     */
    static void writeAgeDb(Path file, List<LfwPairs.Pair> pairs) throws IOException {
        int per = pairs.size() / 10;
        Cell splits = Mat5.newCell(10, 1);
        for (int f = 0; f < 10; f++) {
            Cell images = Mat5.newCell(2, per);
            Matrix labels = Mat5.newMatrix(1, per);
            for (int k = 0; k < per; k++) {
                LfwPairs.Pair p = pairs.get(f * per + k);
                images.set(0, k, ageDbImage(p.name1(), p.index1()));
                images.set(1, k, ageDbImage(p.name2(), p.index2()));
                labels.setDouble(0, k, p.same() ? 1 : -1);
            }
            splits.set(f, 0, Mat5.newStruct().set("pairs", images).set("labels", labels));
        }
        try (MatFile mat = Mat5.newMatFile().addArray("splits", splits)) {
            Mat5.writeToFile(mat, file.toFile());
        }
    }

    private static Struct ageDbImage(String name, int index) {
        String path = LfwPairs.imagePath(name, index, "jpg");
        // AgeDB names its images id_Name_age_gender; the age here is made up from the image number
        return Mat5.newStruct().set("name", Mat5.newString(path.substring(0, path.length() - ".jpg".length())))
                .set("age", Mat5.newScalar(20 + index));
    }

    private static void section(StringBuilder y, String name, Path pairs, SyntheticFaces.Result faces) {
        y.append(name).append(":\n")
                .append("    pairs_file_path: ").append(pairs.toAbsolutePath()).append('\n')
                .append("    cropped_face_folder: ").append(faces.testRoot().toAbsolutePath()).append('\n')
                .append("    image_list_file_path: ").append(faces.imageList().toAbsolutePath()).append("\n\n");
    }

    /** CPLFW/CALFW layout: every same-person pair (fold by fold), then every different-person pair. */
    private static String twoLine(List<LfwPairs.Pair> pairs, List<String> names, boolean identityLabels) {
        StringBuilder s = new StringBuilder();
        for (boolean same : new boolean[] {true, false}) {
            for (LfwPairs.Pair p : pairs) {
                if (p.same() != same) {
                    continue;
                }
                String label = !same ? "0" : identityLabels ? Integer.toString(names.indexOf(p.name1()) + 1) : "1";
                s.append(p.path1("jpg")).append(' ').append(label).append('\n');
                s.append(p.path2("jpg")).append(' ').append(label).append('\n');
            }
        }
        return s.toString();
    }

    /** 10 folds of n same-person then n different-person pairs, identities disjoint across folds when there are enough. */
    static List<LfwPairs.Pair> draw(List<String> names, int images, int n, SplittableRandom r) {
        if (names.size() < 2 || images < 2) {
            throw new IllegalArgumentException("pairs need at least 2 identities with 2 images each, got "
                    + names.size() + " x " + images);
        }
        boolean disjoint = names.size() >= 20;
        List<LfwPairs.Pair> out = new ArrayList<>();
        Set<LfwPairs.Pair> seen = new HashSet<>();
        for (int f = 0; f < 10; f++) {
            List<String> pool = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                if (!disjoint || i % 10 == f) {
                    pool.add(names.get(i));
                }
            }
            for (int k = 0, tries = 0; k < n; tries++) {
                String p = pool.get(r.nextInt(pool.size()));
                int i = 1 + r.nextInt(images);
                int j = 1 + r.nextInt(images - 1);
                j = j >= i ? j + 1 : j;
                LfwPairs.Pair pair = new LfwPairs.Pair(p, Math.min(i, j), p, Math.max(i, j));
                if (seen.add(pair) || tries > 50 * n) {
                    out.add(pair);
                    k++;
                }
            }
            for (int k = 0, tries = 0; k < n; tries++) {
                int a = r.nextInt(pool.size());
                int b = r.nextInt(pool.size() - 1);
                b = b >= a ? b + 1 : b;
                LfwPairs.Pair pair = new LfwPairs.Pair(pool.get(a), 1 + r.nextInt(images), pool.get(b), 1 + r.nextInt(images));
                if (seen.add(pair) || tries > 50 * n) {
                    out.add(pair);
                    k++;
                }
            }
        }
        return out;
    }
}
