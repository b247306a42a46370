package io.facex.protocol.megaface;

import io.facex.api.AbstractPlugin;
import io.facex.api.FeatureLookup;
import io.facex.api.InvalidConfigException;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * MegaFace Challenge 1 identification (spec §5.3), shared by {@link MegaFace} and {@link MegaFaceMask}.
 *
 * <p>Images: a FaceScrub image at {@code P} in the devkit's list is {@code <facescrub_crop_dir>/P} under
 * cropped_face_folder ({@link #imageRoot}), a distractor {@code <megaface_crop_dir>/P}, and a masked
 * FaceScrub image {@code <masked_facescrub_crop_dir>/P} under masked_cropped_face_folder — the layout
 * FaceX-Zoo's extraction and evaluation scripts use. Masked images are named relative to the root when
 * their folder is inside it (FaceX-Zoo's own data_conf uses one folder for both), else by absolute path.
 */
abstract class MegaFaceProtocol extends AbstractPlugin<MegaFaceConfig> implements TestProtocol<MegaFaceConfig> {

    static final String NO_FEATURE = "FaceScrub images without a feature";
    static final String NO_MASKED_FEATURE = "masked FaceScrub images without a feature";
    static final String NO_DISTRACTOR_FEATURE = "MegaFace distractors without a feature";

    /** The devkit's distractor set sizes. */
    static final int[] DEVKIT_COUNTS = {10, 100, 1_000, 10_000, 100_000, 1_000_000};

    MegaFaceProtocol(String name, String description, MegaFaceConfig defaults) {
        super(name, description, MegaFaceConfig.class, defaults);
    }

    /** Whether this configuration evaluates masked probes. */
    abstract boolean masked(MegaFaceConfig c);

    @Override
    public void validate(MegaFaceConfig c) {
        if (c.megafaceMask() != 0 && c.megafaceMask() != 1) {
            throw new InvalidConfigException("megaface-mask", "must be 0 (MegaFace) or 1 (MegaFace-Mask), got " + c.megafaceMask());
        }
        if (c.maxRank() < 1) {
            throw new InvalidConfigException("max_rank", "must be at least 1, got " + c.maxRank());
        }
        for (Integer n : c.distractorCounts()) {
            if (n < 1) {
                throw new InvalidConfigException("distractor_counts", "counts must be positive, got " + n);
            }
        }
        if (c.isConcat() != 0 && c.isConcat() != 1) {
            throw new InvalidConfigException("is_concat", "must be 0 or 1, got " + c.isConcat());
        }
        try {
            TopKSearch.Engine.parse(c.engine());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigException("engine", "must be djl or java, got '" + c.engine() + "'");
        }
        if (c.threads() < 0) {
            throw new InvalidConfigException("threads", "must be 0 (one per processor) or more, got " + c.threads());
        }
        if (c.blockSize() < 1) {
            throw new InvalidConfigException("block_size", "must be positive, got " + c.blockSize());
        }
    }

    // ---- images -------------------------------------------------------------------------------

    @Override
    public Path imageRoot(MegaFaceConfig c) {
        return folder(c.croppedFaceFolder(), "cropped_face_folder");
    }

    /** The lists, and every path as the platform knows it. */
    private record Layout(DevkitFiles.FacescrubList facescrub, List<String> megaface, List<String> facescrubImages,
            List<String> megafaceImages, List<String> maskedImages) {
    }

    private Layout layout(MegaFaceConfig c) throws IOException {
        DevkitFiles.FacescrubList fs = DevkitFiles.readFacescrubList(file(c.facescrubList(), "facescrub_list"));
        List<String> mf = DevkitFiles.readMegafaceList(file(c.megacefaceList(), "megaceface_list"));
        List<String> fsImages = under("", sub(c.facescrubCropDir()), fs.paths());
        List<String> mfImages = under("", sub(c.megafaceCropDir()), mf);
        List<String> masked = List.of();
        if (masked(c)) {
            masked = under(maskedPrefix(c), sub(c.maskedFacescrubCropDir()), fs.paths());
        }
        return new Layout(fs, mf, fsImages, mfImages, masked);
    }

    /** How masked_cropped_face_folder is named in image paths: relative to the root, or absolute. */
    private String maskedPrefix(MegaFaceConfig c) {
        Path root = imageRoot(c);
        Path masks = folder(c.maskedCroppedFaceFolder(), "masked_cropped_face_folder");
        if (masks.startsWith(root)) {
            String rel = DevkitFiles.normalize(root.relativize(masks).toString());
            return rel.isEmpty() ? "" : rel + "/";
        }
        return DevkitFiles.normalize(masks.toString()) + "/";
    }

    /**
     * Every image a listed path refers to that the image lists contain (all of them when no list is
     * configured): FaceScrub, then the distractors, then (MegaFace-Mask) the masked FaceScrub images.
     */
    @Override
    public List<String> images(MegaFaceConfig c) throws IOException {
        Layout l = layout(c);
        List<String> out = new ArrayList<>(l.facescrubImages().size() * 2 + l.megafaceImages().size());
        Set<String> listed = listed(c.imageListFile(), "image_list_file", "");
        keep(out, l.facescrubImages(), listed);
        keep(out, l.megafaceImages(), listed);
        if (masked(c)) {
            keep(out, l.maskedImages(), listed(c.maskedImageListFile(), "masked_image_list_file", maskedPrefix(c)));
        }
        return out;
    }

    private static void keep(List<String> out, List<String> images, Set<String> listed) {
        for (String s : images) {
            if (listed == null || listed.contains(s)) {
                out.add(s);
            }
        }
    }

    /** An image list's entries as image paths, or null when none is configured. */
    private static Set<String> listed(String list, String key, String prefix) throws IOException {
        if (list == null || list.isBlank()) {
            return null;
        }
        Set<String> out = new HashSet<>();
        for (String s : DevkitFiles.readImageList(file(list, key))) {
            out.add(prefix + s);
        }
        return out;
    }

    // ---- evaluation ---------------------------------------------------------------------------

    @Override
    public ProtocolResult evaluate(MegaFaceConfig c, FeatureLookup features, Path outputDirectory) throws IOException {
        Layout l = layout(c);
        boolean masked = masked(c);
        List<String> fsPaths = l.facescrub().paths();
        int dim = features.dimension();
        Map<String, Integer> skipped = new LinkedHashMap<>();

        float[][] gallery = lookup(features, l.facescrubImages(), dim);
        float[][] probe = masked ? lookup(features, l.maskedImages(), dim) : gallery;
        if (!c.facescrubNoisesFile().isBlank()) {
            Set<String> noises = DevkitFiles.readFacescrubNoises(file(c.facescrubNoisesFile(), "facescrub_noises_file"));
            NoiseRemoval.replaceFacescrubNoises(fsPaths, gallery, noises);
            if (masked) {
                // as FaceX-Zoo: the same list on the masked features, with centres of masked features
                NoiseRemoval.replaceFacescrubNoises(fsPaths, probe, noises);
            }
        }
        count(skipped, NO_FEATURE, gallery);
        if (masked) {
            count(skipped, NO_MASKED_FEATURE, probe);
        }

        Set<String> mfNoises = c.megafaceNoisesFile().isBlank() ? Set.of()
                : DevkitFiles.readMegafaceNoises(file(c.megafaceNoisesFile(), "megaface_noises_file"));
        int[] counts = distractorCounts(c, l.megaface().size(), file(c.megacefaceList(), "megaceface_list"));
        DistractorSource source = new DistractorSource(features, l.megafaceImages(), l.megaface(), mfNoises, dim);

        int[] probeRow = new int[fsPaths.size()];
        List<float[]> probes = new ArrayList<>();
        for (int i = 0; i < probeRow.length; i++) {
            probeRow[i] = probe[i] == null ? -1 : probes.size();
            if (probe[i] != null) {
                probes.add(probe[i]);
            }
        }
        int k = c.maxRank();
        int threads = c.threads() == 0 ? Runtime.getRuntime().availableProcessors() : c.threads();
        float[][] top = TopKSearch.search(probes.toArray(new float[0][]), DistractorBlocks.plan(dim, c.blockSize(), counts),
                source, k, threads, TopKSearch.Engine.parse(c.engine()));
        if (source.missing() > 0) {
            skipped.put(NO_DISTRACTOR_FEATURE, source.missing());
        }

        List<int[]> groups = RankN.groups(l.facescrub().ids());
        List<ProtocolResult.Score> scores = new ArrayList<>();
        List<RankN.Counts> cmc = new ArrayList<>();
        String name = masked ? MegaFaceMask.NAME : MegaFace.NAME;
        for (int s = 0; s < counts.length; s++) {
            RankN.Counts r = RankN.count(groups, gallery, probe, probeRow, top[s], k, c.isConcat() == 1);
            cmc.add(r);
            for (int n = 1; n <= k; n++) {
                scores.add(new ProtocolResult.Score(name + "@" + counts[s], "rank-" + n, r.accuracy(n), Double.NaN));
            }
        }
        Map<String, Path> artifacts = outputDirectory == null ? Map.of()
                : CmcReport.write(outputDirectory, name, counts, cmc, k);
        return new ProtocolResult(scores, skipped, artifacts);
    }

    /**
     * The distractors as the search reads them, straight from the platform's features: listed noise
     * becomes a zero vector, a missing feature is left out (and counted once).
     */
    private static final class DistractorSource implements DistractorBlocks.Source {
        private final FeatureLookup features;
        private final List<String> images;
        private final boolean[] noise;
        private final float[] zero;
        private final int dim;
        private int missing;

        DistractorSource(FeatureLookup features, List<String> images, List<String> listPaths, Set<String> noises, int dim) {
            this.features = features;
            this.images = images;
            this.dim = dim;
            this.zero = new float[dim];
            this.noise = new boolean[images.size()];
            if (!noises.isEmpty()) {
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = noises.contains(NoiseRemoval.megafaceKey(listPaths.get(i)));
                }
            }
        }

        // FeatureLookup promises nothing about threads; one lock per feature costs nothing beside
        // the 2·probes·dim flops each distractor then takes
        @Override
        public synchronized float[] feature(int i) {
            float[] f = features.feature(images.get(i));
            if (f == null) {
                missing++;
                return null;
            }
            if (f.length != dim) {
                throw new IllegalArgumentException("the feature of " + images.get(i) + " has " + f.length
                        + " values, expected " + dim);
            }
            return noise[i] ? zero : f;
        }

        synchronized int missing() {
            return missing;
        }
    }

    /**
     * The prefixes to report, ascending. The devkit ships one list per size; with one
     * {@code megaceface_list}, smaller sets are taken as its prefixes.
     */
    static int[] distractorCounts(MegaFaceConfig c, int listSize, Path list) {
        TreeSet<Integer> counts = new TreeSet<>();
        if (c.distractorCounts().isEmpty()) {
            for (int n : DEVKIT_COUNTS) {
                if (n <= listSize) {
                    counts.add(n);
                }
            }
            if (listSize > 0) {
                counts.add(listSize);
            }
        } else {
            for (int n : c.distractorCounts()) {
                if (n > listSize) {
                    throw new InvalidConfigException("distractor_counts", n + " is more than the " + listSize
                            + " distractors of " + list);
                }
                counts.add(n);
            }
        }
        if (counts.isEmpty()) {
            throw new InvalidConfigException("megaceface_list", list + " lists no distractors");
        }
        return counts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static float[][] lookup(FeatureLookup features, List<String> images, int dim) {
        float[][] out = new float[images.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] f = features.feature(images.get(i));
            if (f != null && f.length != dim) {
                throw new IllegalArgumentException("the feature of " + images.get(i) + " has " + f.length
                        + " values, expected " + dim);
            }
            out[i] = f;
        }
        return out;
    }

    private static void count(Map<String, Integer> skipped, String reason, float[][] features) {
        int n = 0;
        for (float[] f : features) {
            if (f == null) {
                n++;
            }
        }
        if (n > 0) {
            skipped.put(reason, n);
        }
    }

    // ---- paths --------------------------------------------------------------------------------

    private static Path folder(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(key, "is not set");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    private static Path file(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(key, "is not set");
        }
        return Path.of(value);
    }

    private static String sub(String dir) {
        String d = DevkitFiles.normalize(dir == null ? "" : dir.strip());
        while (d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d.isEmpty() ? "" : d + "/";
    }

    private static List<String> under(String prefix, String sub, List<String> paths) {
        List<String> out = new ArrayList<>(paths.size());
        for (String p : paths) {
            out.add(prefix + sub + DevkitFiles.normalize(p));
        }
        return out;
    }
}
