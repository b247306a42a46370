package io.facex.protocol.verification;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The official pair lists (spec §5.1), each parsed into pairs in file order with FaceX-Zoo's folds:
 * <ul>
 * <li>LFW {@code pairs.txt}: a header {@code folds<TAB>pairs-per-fold}, then TAB-separated lines,
 * {@code name i j} (same person) or {@code name1 i name2 j}; images {@code name/name_%04d.jpg};</li>
 * <li>RFW {@code <Race>_pairs.txt}: the same lines without the header;</li>
 * <li>CPLFW and CALFW {@code pairs_C?LFW.txt}: two consecutive {@code file label} lines make a pair,
 * labelled by the first (CPLFW: 1 or 0; CALFW: a non-zero identity number means the same person); all
 * same-person pairs come first, and FaceX-Zoo regroups them fold by fold (300 same, then 300 different).</li>
 * </ul>
 * FaceX-Zoo then puts pair k in fold ⌊k / (n/10)⌋ (consecutive blocks) for every list; kept, so numbers
 * compare with the paper (an RFW list not in fold order is scored with these folds all the same).
 */
public final class PairLists {

    private PairLists() {
    }

    public static List<Pair> lfw(Path file) throws IOException {
        List<String> lines = read(file, "LFW's pairs.txt");
        if (lines.isEmpty()) {
            throw new PairListException(file, 0, "empty; expected LFW's pairs.txt");
        }
        String[] head = lines.get(0).trim().split("\\s+");
        if (head.length != 2 || !isInt(head[0]) || !isInt(head[1])) {
            throw new PairListException(file, 1, "expected LFW's header 'folds<TAB>pairs per fold' (e.g. '10\t300'), found '"
                    + lines.get(0).strip() + "'" + guess(lines, 0));
        }
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(lines.get(i).strip().split("\t"));
                lineNos.add(i + 1);
            }
        }
        int expected = Integer.parseInt(head[0]) * Integer.parseInt(head[1]) * 2;
        if (rows.size() != expected) {
            throw new PairListException(file, 0, "the header promises " + head[0] + " folds of " + head[1]
                    + " same and " + head[1] + " different pairs (" + expected + " lines), the file has " + rows.size());
        }
        return tabPairs(file, rows, lineNos, "LFW");
    }

    public static List<Pair> rfw(Path file) throws IOException {
        List<String> lines = read(file, "RFW's <Race>_pairs.txt");
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).strip().split("\t");
            if (rows.isEmpty() && f.length == 2 && isInt(f[0].trim()) && isInt(f[1].trim())) {
                throw new PairListException(file, i + 1, "this looks like LFW's pairs.txt header ('" + lines.get(i).strip()
                        + "'); RFW's <Race>_pairs.txt has none");
            }
            rows.add(f);
            lineNos.add(i + 1);
        }
        if (rows.isEmpty()) {
            throw new PairListException(file, 0, "no pairs; expected RFW's <Race>_pairs.txt");
        }
        return tabPairs(file, rows, lineNos, "RFW");
    }

    public static List<Pair> cplfw(Path file) throws IOException {
        return twoLine(file, "CPLFW");
    }

    public static List<Pair> calfw(Path file) throws IOException {
        return twoLine(file, "CALFW");
    }

    private static List<Pair> tabPairs(Path file, List<String[]> rows, List<Integer> lineNos, String benchmark)
            throws PairListException {
        List<Pair> out = new ArrayList<>(rows.size());
        int per = Math.max(1, rows.size() / TenFold.FOLDS);
        for (int k = 0; k < rows.size(); k++) {
            String[] f = rows.get(k);
            int line = lineNos.get(k);
            int fold = Math.min(TenFold.FOLDS - 1, k / per);
            if (f.length == 3) {
                out.add(new Pair(image(f[0], f[1], file, line), image(f[0], f[2], file, line), true, fold));
            } else if (f.length == 4) {
                out.add(new Pair(image(f[0], f[1], file, line), image(f[2], f[3], file, line), false, fold));
            } else {
                String hint = f.length == 1 && f[0].trim().split(" +").length == 2
                        ? "; this looks like a CPLFW/CALFW list ('file label' lines)" : "";
                throw new PairListException(file, line, "expected " + benchmark + "'s 'name<TAB>n1<TAB>n2' or "
                        + "'name1<TAB>n1<TAB>name2<TAB>n2', found " + f.length + " TAB-separated field(s)" + hint);
            }
        }
        return out;
    }

    private static String image(String name, String number, Path file, int line) throws PairListException {
        String n = number.trim();
        if (name.isBlank() || !isInt(n)) {
            throw new PairListException(file, line, "expected a name and an image number, found '" + name + "' and '" + number + "'");
        }
        return String.format(Locale.ROOT, "%s/%s_%04d.jpg", name.trim(), name.trim(), Integer.parseInt(n));
    }

    private static List<Pair> twoLine(Path file, String benchmark) throws IOException {
        List<String> lines = read(file, benchmark + "'s pairs_" + benchmark + ".txt");
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty()) {
                continue;
            }
            String[] f = l.split("\\s+");
            if (rows.isEmpty() && f.length == 2 && isInt(f[0]) && isInt(f[1])) {
                throw new PairListException(file, i + 1, "expected " + benchmark + "'s 'file label' lines, found '" + l
                        + "'; this looks like LFW's pairs.txt header");
            }
            if (f.length != 2 || !isInt(f[1])) {
                String hint = f.length == 3 || f.length == 4 ? "; this looks like an LFW/RFW pair list" : "";
                throw new PairListException(file, i + 1, "expected " + benchmark + "'s 'file label' lines, found '" + l + "'" + hint);
            }
            rows.add(f);
            lineNos.add(i + 1);
        }
        if (rows.isEmpty() || rows.size() % 2 != 0) {
            throw new PairListException(file, 0, benchmark + " lists hold pairs of lines; found " + rows.size() + " line(s)");
        }
        int pairs = rows.size() / 2;
        if (pairs % (2 * TenFold.FOLDS) != 0) {
            throw new PairListException(file, 0, benchmark + " lists hold the same-person pairs, then as many "
                    + "different-person pairs, 10 folds of each; " + pairs + " pairs cannot be split so");
        }
        // FaceX-Zoo regroups them fold by fold: the fold's same-person block, then its different-person block.
        int half = pairs / 2;
        int per = half / TenFold.FOLDS;
        List<Pair> out = new ArrayList<>(pairs);
        for (int f = 0; f < TenFold.FOLDS; f++) {
            for (int start : new int[] {f * per, half + f * per}) {
                for (int k = start; k < start + per; k++) {
                    String[] a = rows.get(2 * k);
                    String[] b = rows.get(2 * k + 1);
                    long label = Long.parseLong(a[1]);
                    if (benchmark.equals("CPLFW") && label != 0 && label != 1) {
                        throw new PairListException(file, lineNos.get(2 * k), "CPLFW labels are 1 (same) or 0 "
                                + "(different), found " + label + "; CALFW lists carry identity numbers");
                    }
                    out.add(new Pair(a[0], b[0], label != 0, f));
                }
            }
        }
        return out;
    }

    private static List<String> read(Path file, String expected) throws IOException {
        if (isMatFile(file)) {
            throw new PairListException(file, 0, "a MATLAB MAT-file (as AgeDB-30's protocol is); expected " + expected);
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PairListException(file, 0, "no such pair list");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new PairListException(file, 0, "not a text file; expected " + expected);
        }
    }

    /** Whether the file starts with a MAT-file's text header ({@code MATLAB 5.0 MAT-file, ...}). */
    public static boolean isMatFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        byte[] head = new byte[6];
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length) == head.length
                    && new String(head, StandardCharsets.ISO_8859_1).equals("MATLAB");
        }
    }

    /**
     * Which benchmark's text list this looks like, to tell someone who gave the wrong file: e.g.
     * {@code "LFW's pairs.txt"}, or null when it looks like none.
     */
    public static String looksLike(Path file) throws IOException {
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String l; (l = in.readLine()) != null; ) {
                if (l.isBlank()) {
                    continue;
                }
                String[] w = l.strip().split("\\s+");
                int tabs = l.strip().split("\t").length;
                if (w.length == 2 && isInt(w[0]) && isInt(w[1])) {
                    return "LFW's pairs.txt";
                }
                if (tabs == 3 || tabs == 4) {
                    return "an RFW <Race>_pairs.txt (or LFW's pairs.txt without its header)";
                }
                if (w.length == 2 && isInt(w[1])) {
                    return "a CPLFW or CALFW list (pairs_CPLFW.txt, pairs_CALFW.txt)";
                }
                return null;
            }
            return null;
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static String guess(List<String> lines, int i) {
        String[] f = lines.get(i).strip().split("\\s+");
        return f.length == 2 && isInt(f[1]) && !isInt(f[0]) ? "; this looks like a CPLFW/CALFW list ('file label' lines)"
                : f.length >= 3 ? "; this looks like RFW's list, which has no header" : "";
    }

    private static boolean isInt(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i)) && !(i == 0 && s.charAt(i) == '-' && s.length() > 1)) {
                return false;
            }
        }
        return true;
    }
}
