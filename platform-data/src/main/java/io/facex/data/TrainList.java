package io.facex.data;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A FaceX-Zoo training list: one image per line, {@code relative/path.jpg label}, paths relative to a
 * data root, labels non-negative integers.
 *
 * <p>FaceX-Zoo splits each line on every space and so rejects paths containing one; this reader splits
 * on the <em>last</em> space instead, which reads every list FaceX-Zoo reads identically and also
 * accepts paths with spaces (a label never contains one). Lines are stripped; blank lines are skipped
 * (FaceX-Zoo stops reading at the first blank line, which silently truncates a list with a stray empty
 * line in the middle). Writing uses a single space, so lists written here are readable by FaceX-Zoo as
 * long as no path has a space.
 */
public final class TrainList {

    /** Image file extensions {@link #fromFolders(Path)} picks up, compared case-insensitively. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp");

    /**
     * One image: its path relative to the data root, its label, and the 1-based line it came from
     * (0 when the list was not read from a file).
     */
    public record Entry(String path, int label, int line) {
        public Entry {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("empty image path");
            }
            if (label < 0) {
                throw new IllegalArgumentException("negative label " + label + " for " + path);
            }
        }
    }

    private final Path dataRoot;
    private final Path source;
    private final List<Entry> entries;
    private final int numClasses;

    private TrainList(Path dataRoot, Path source, List<Entry> entries) {
        this.dataRoot = dataRoot;
        this.source = source;
        this.entries = List.copyOf(entries);
        this.numClasses = this.entries.stream().mapToInt(Entry::label).max().orElse(-1) + 1;
    }

    /** A list held in memory (e.g. built by a program); {@link #source()} is null. */
    public static TrainList of(Path dataRoot, List<Entry> entries) {
        return new TrainList(dataRoot, null, entries);
    }

    /** Some of this list's entries (their line numbers kept), so that errors still point into the list file. */
    public TrainList subset(List<Entry> picked) {
        return new TrainList(dataRoot, source, picked);
    }

    /**
     * A shallow version of this list, as FaceX-Zoo's {@code MS-Celeb-1M-v1c-r-shallow_train_list.txt} is of
     * the full one: at most {@code perIdentity} images of each identity, chosen at random from the seed,
     * labels and order kept.
     */
    public TrainList shallow(int perIdentity, long seed) {
        if (perIdentity < 1) {
            throw new IllegalArgumentException("images per identity must be at least 1, got " + perIdentity);
        }
        List<List<Integer>> byLabel = indicesByLabel();
        java.util.BitSet keep = new java.util.BitSet(entries.size());
        for (int label = 0; label < byLabel.size(); label++) {
            List<Integer> images = new java.util.ArrayList<>(byLabel.get(label));
            java.util.Collections.shuffle(images, new java.util.Random(seed * 1_000_003L + label));
            for (int k = 0; k < Math.min(perIdentity, images.size()); k++) {
                keep.set(images.get(k));
            }
        }
        List<Entry> picked = new java.util.ArrayList<>(keep.cardinality());
        keep.stream().forEach(i -> picked.add(entries.get(i)));
        return subset(picked);
    }

    /**
     * A problem with an entry's image, located like a compiler error:
     * {@code list.txt:12: image 'a/b.jpg' (/data/a/b.jpg): no such file}, or the image file alone for a
     * list with no file.
     */
    public DataException problem(Entry e, String detail, Throwable cause) {
        Path file = resolve(e);
        return source != null && e.line() > 0
                ? new DataException(source, e.line(), "image '" + e.path() + "' (" + file + "): " + detail, cause)
                : new DataException(file, 0, detail, cause);
    }

    /**
     * Every entry whose image is missing, not a file or empty, found from the file system's metadata
     * alone (no image is opened), so that a list is known good before hours of training depend on it.
     *
     * @param progress told the number of entries checked so far, every 1024 entries and at the end
     */
    public List<DataException> unreadable(java.util.function.LongConsumer progress) {
        List<DataException> bad = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Path file = resolve(e);
            try {
                java.nio.file.attribute.BasicFileAttributes a =
                        Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
                if (!a.isRegularFile()) {
                    bad.add(problem(e, a.isDirectory() ? "a folder, not an image" : "not a regular file", null));
                } else if (a.size() == 0) {
                    bad.add(problem(e, "empty file, not an image", null));
                }
            } catch (java.nio.file.NoSuchFileException ex) {
                bad.add(problem(e, "no such file", ex));
            } catch (IOException ex) {
                bad.add(problem(e, "cannot be read (" + ex.getMessage() + ")", ex));
            }
            if ((i + 1) % 1024 == 0 || i + 1 == entries.size()) {
                progress.accept(i + 1);
            }
        }
        return bad;
    }

    /**
     * Reads a list file.
     *
     * @throws DataException naming the file and line for a malformed line or a bad label, or the file
     *     for an empty list; naming the data root when it is not a directory
     * @throws IOException when the file cannot be read
     */
    public static TrainList read(Path listFile, Path dataRoot) throws IOException {
        requireDirectory(dataRoot, listFile);
        List<Entry> entries = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(listFile, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String raw; (raw = in.readLine()) != null; ) {
                lineNo++;
                String line = lineNo == 1 ? stripBom(raw).strip() : raw.strip();
                if (!line.isEmpty()) {
                    entries.add(parseLine(listFile, lineNo, line));
                }
            }
        } catch (NoSuchFileException e) {
            throw new DataException(listFile, 0, "training list not found", e);
        }
        if (entries.isEmpty()) {
            throw new DataException(listFile, 0, "training list is empty");
        }
        return new TrainList(dataRoot, listFile, entries);
    }

    private static Entry parseLine(Path file, int lineNo, String line) {
        int space = line.lastIndexOf(' ');
        int tab = line.lastIndexOf('\t');
        int cut = Math.max(space, tab); // tolerate a tab separator; FaceX-Zoo's writer uses a space
        if (cut <= 0) {
            throw new DataException(file, lineNo, "expected 'relative/path.jpg label', got '" + abbreviate(line) + "'");
        }
        String path = line.substring(0, cut).strip();
        String labelText = line.substring(cut + 1);
        int label;
        try {
            label = Integer.parseInt(labelText);
        } catch (NumberFormatException e) {
            throw new DataException(file, lineNo, "label '" + abbreviate(labelText) + "' is not an integer (line: '"
                    + abbreviate(line) + "')");
        }
        if (label < 0) {
            throw new DataException(file, lineNo, "label " + label + " is negative");
        }
        return new Entry(path, label, lineNo);
    }

    /** Writes the list in FaceX-Zoo's format ({@code path label}, '/' separators, LF line ends). */
    public void write(Path listFile) throws IOException {
        Path parent = listFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(listFile, StandardCharsets.UTF_8)) {
            for (Entry e : entries) {
                out.write(e.path());
                out.write(' ');
                out.write(Integer.toString(e.label()));
                out.write('\n');
            }
        }
    }

    /**
     * Builds a list from a folder of identity folders, as FaceX-Zoo's list generator does: identity
     * folders sorted by name get labels 0..N-1, images sorted by name inside each. Only files with an
     * {@link #IMAGE_EXTENSIONS image extension} count; identity folders with no image are left out (and
     * get no label) so labels stay dense. Sorting is by the names' UTF-16 order, which for ASCII names
     * is Python's {@code sorted()} order.
     */
    public static TrainList fromFolders(Path dataRoot) throws IOException {
        requireDirectory(dataRoot, null);
        List<Path> identities;
        try (Stream<Path> s = Files.list(dataRoot)) {
            identities = s.filter(Files::isDirectory).sorted(TrainList::byName).toList();
        }
        List<Entry> entries = new ArrayList<>();
        int label = 0;
        for (Path id : identities) {
            List<Path> images;
            try (Stream<Path> s = Files.list(id)) {
                images = s.filter(p -> Files.isRegularFile(p) && isImage(p)).sorted(TrainList::byName).toList();
            }
            if (images.isEmpty()) {
                continue;
            }
            String folder = id.getFileName().toString();
            for (Path img : images) {
                entries.add(new Entry(folder + "/" + img.getFileName(), label, 0));
            }
            label++;
        }
        if (entries.isEmpty()) {
            throw new DataException(dataRoot, 0, "no images (" + String.join("/", new java.util.TreeSet<>(IMAGE_EXTENSIONS))
                    + ") in identity folders under the data root");
        }
        return new TrainList(dataRoot, null, entries);
    }

    /** {@link #fromFolders(Path)} then {@link #write(Path)}: what a list-generating command calls. */
    public static TrainList writeFromFolders(Path dataRoot, Path listFile) throws IOException {
        TrainList list = fromFolders(dataRoot);
        list.write(listFile);
        return list;
    }

    /** {@code TrainList <data root> <list file>}: writes the list of a folder of identity folders. */
    public static void main(String[] args) {
        PrintStream err = System.err;
        if (args.length != 2) {
            err.println("usage: TrainList <data root: a folder of identity folders> <list file to write>");
            System.exit(2);
        }
        try {
            TrainList list = writeFromFolders(Path.of(args[0]), Path.of(args[1]));
            System.out.printf(Locale.ROOT, "%s: %d images, %d identities%n", args[1], list.size(), list.numClasses());
        } catch (IOException | DataException e) {
            err.println("facex: " + e.getMessage());
            System.exit(1);
        }
    }

    public Path dataRoot() {
        return dataRoot;
    }

    /** The list file this was read from, or null. */
    public Path source() {
        return source;
    }

    public List<Entry> entries() {
        return entries;
    }

    public Entry get(int index) {
        return entries.get(index);
    }

    public int size() {
        return entries.size();
    }

    /** Largest label + 1: the classifier width FaceX-Zoo's {@code num_class} must match. */
    public int numClasses() {
        return numClasses;
    }

    /** The image file of an entry. */
    public Path resolve(Entry e) {
        return dataRoot.resolve(e.path());
    }

    /**
     * Where an entry came from, for error messages: {@code list.txt:12} when read from a file, else the
     * image file itself.
     */
    public String describe(int index) {
        Entry e = entries.get(index);
        return source != null && e.line() > 0 ? source + ":" + e.line() : resolve(e).toString();
    }

    /** Entry count per label, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (Entry e : entries) {
            counts[e.label()]++;
        }
        return counts;
    }

    /** Entries in list order grouped by label (a label with no image has an empty list). */
    public List<List<Integer>> indicesByLabel() {
        List<List<Integer>> out = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < entries.size(); i++) {
            out.get(entries.get(i).label()).add(i);
        }
        List<List<Integer>> frozen = new ArrayList<>(numClasses);
        out.forEach(l -> frozen.add(Collections.unmodifiableList(l)));
        return Collections.unmodifiableList(frozen);
    }

    private static void requireDirectory(Path dataRoot, Path listFile) {
        if (dataRoot == null) {
            throw new DataException(listFile, 0, "no data root given");
        }
        if (!Files.isDirectory(dataRoot)) {
            String problem = Files.exists(dataRoot) ? "data root is not a directory" : "data root does not exist";
            throw new DataException(dataRoot, 0, problem + (listFile == null ? "" : " (for " + listFile + ")"));
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static int byName(Path a, Path b) {
        return a.getFileName().toString().compareTo(b.getFileName().toString());
    }

    private static String stripBom(String s) {
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
