package io.facex.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several training lists as one, for FaceX-Zoo's "original + masked" recipe: the list of the faces and
 * the list of their masked copies, each written from its own folder of identity folders, trained on
 * together. The lists may have different data roots; the merged list's paths are relative to one root
 * that holds them all. Labels are kept, and must agree: an identity folder (the path up to its last
 * '/') has one label in every list, and a label one folder; any disagreement is refused, each named
 * with its list file and line, because a masked copy labelled apart from its original would train the
 * two as different people.
 */
public final class TrainListMerge {

    /** Disagreements named in full before "and N more". */
    private static final int LISTED = 10;

    private TrainListMerge() {
    }

    /**
     * @param lists    the lists, in the order their entries are wanted
     * @param dataRoot the merged list's data root, or null for the deepest folder holding every list's root
     */
    public static TrainList merge(List<TrainList> lists, Path dataRoot) {
        if (lists.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        Path root = (dataRoot != null ? dataRoot : commonFolder(lists)).toAbsolutePath().normalize();
        Map<String, Seen> labelOfFolder = new HashMap<>();
        Map<Integer, Seen> folderOfLabel = new HashMap<>();
        List<String> problems = new ArrayList<>();
        List<TrainList.Entry> merged = new ArrayList<>();
        for (TrainList list : lists) {
            for (TrainList.Entry e : list.entries()) {
                String where = where(list, e);
                int slash = e.path().replace('\\', '/').lastIndexOf('/');
                if (slash <= 0) {
                    problems.add(where + ": image '" + e.path() + "' is in no identity folder; labels are checked by folder");
                    continue;
                }
                String folder = e.path().replace('\\', '/').substring(0, slash);
                Seen f = labelOfFolder.putIfAbsent(folder, new Seen(e.label(), folder, where));
                if (f != null && f.label() != e.label()) {
                    problems.add(where + ": identity folder '" + folder + "' has label " + e.label() + ", but " + f.where()
                            + " gives it label " + f.label());
                }
                Seen l = folderOfLabel.putIfAbsent(e.label(), new Seen(e.label(), folder, where));
                if (l != null && !l.folder().equals(folder)) {
                    problems.add(where + ": label " + e.label() + " is identity folder '" + folder + "', but " + l.where()
                            + " gives it to '" + l.folder() + "'");
                }
                Path image = list.dataRoot().toAbsolutePath().normalize().resolve(e.path()).normalize();
                merged.add(new TrainList.Entry(root.relativize(image).toString().replace('\\', '/'), e.label(), 0));
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder s = new StringBuilder("the lists do not label their identities alike, so they cannot be merged:");
            problems.stream().limit(LISTED).forEach(p -> s.append("\n  ").append(p));
            if (problems.size() > LISTED) {
                s.append("\n  ... and ").append(problems.size() - LISTED).append(" more");
            }
            s.append("\nwrite each list from folders with the same identity folder names (facex trainlist ROOT LIST), "
                    + "so that sorted names give the same labels");
            throw new DataException(null, 0, s.toString());
        }
        return TrainList.of(root, merged);
    }

    /** The deepest folder that holds every list's data root. */
    static Path commonFolder(List<TrainList> lists) {
        Path common = lists.get(0).dataRoot().toAbsolutePath().normalize();
        for (TrainList l : lists) {
            Path r = l.dataRoot().toAbsolutePath().normalize();
            while (!r.startsWith(common)) {
                common = common.getParent();
            }
        }
        return common;
    }

    private static String where(TrainList list, TrainList.Entry e) {
        return list.source() != null && e.line() > 0 ? list.source() + ":" + e.line()
                : list.dataRoot().resolve(e.path()).toString();
    }

    private record Seen(int label, String folder, String where) {
    }
}
