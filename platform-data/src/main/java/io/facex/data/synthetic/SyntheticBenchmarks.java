package io.facex.data.synthetic;

import io.facex.data.Seeds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Verification benchmarks in their official file formats over the held-out identities of a
 * {@link SyntheticFaces} set, so every parser and protocol runs end to end without the real datasets:
 * LFW's {@code pairs.txt}, RFW's four {@code <Race>_pairs.txt} (the identities dealt into four groups),
 * CPLFW's and CALFW's two-line lists (same-person pairs first), and a FaceX-Zoo {@code data_conf.yaml}
 * naming them all with absolute paths.
 */
public final class SyntheticBenchmarks {

    public static final List<String> RACES = List.of("African", "Asian", "Caucasian", "Indian");

    /** What was written. */
    public record Result(Path dataConf, Path lfw, Path cplfw, Path calfw, List<Path> rfw) {
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
        // the set's own LFW-format pairs.txt, when it has one, so LFW here is the pairs the set was made with
        Path lfw = faces.pairs();
        if (lfw == null) {
            lfw = out.resolve("lfw_pairs.txt");
            new LfwPairs(10, pairsPerFold, draw(names, images, pairsPerFold, Seeds.random(seed, 11))).write(lfw);
        }

        Path cplfw = out.resolve("pairs_CPLFW.txt");
        Path calfw = out.resolve("pairs_CALFW.txt");
        List<LfwPairs.Pair> c = draw(names, images, pairsPerFold, Seeds.random(seed, 12));
        Files.writeString(cplfw, twoLine(c, names, false), StandardCharsets.UTF_8);
        List<LfwPairs.Pair> a = draw(names, images, pairsPerFold, Seeds.random(seed, 13));
        Files.writeString(calfw, twoLine(a, names, true), StandardCharsets.UTF_8);

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
            for (LfwPairs.Pair p : draw(group, images, pairsPerFold, Seeds.random(seed, 14, r))) {
                s.append(p.same() ? String.format(Locale.ROOT, "%s\t%d\t%d%n", p.name1(), p.index1(), p.index2())
                        : String.format(Locale.ROOT, "%s\t%d\t%s\t%d%n", p.name1(), p.index1(), p.name2(), p.index2()));
            }
            Files.writeString(file, s, StandardCharsets.UTF_8);
            rfw.add(file);
        }

        Path conf = out.resolve("data_conf.yaml");
        StringBuilder y = new StringBuilder("# Synthetic benchmarks in FaceX-Zoo's data_conf.yaml layout (io.facex.data.synthetic.SyntheticBenchmarks)\n");
        section(y, "LFW", lfw, faces);
        section(y, "CPLFW", cplfw, faces);
        section(y, "CALFW", calfw, faces);
        for (int r = 0; r < RACES.size(); r++) {
            section(y, "RFW_" + RACES.get(r), rfw.get(r), faces);
        }
        Files.writeString(conf, y, StandardCharsets.UTF_8);
        return new Result(conf, lfw, cplfw, calfw, rfw);
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
