package io.facex.protocol.megaface;

import io.facex.tools.synthetic.SyntheticDevkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facex.api.InvalidConfigException;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MegaFaceProtocolTest {

    @TempDir
    Path dir;

    private final MegaFace megaFace = new MegaFace();
    private final MegaFaceMask megaFaceMask = new MegaFaceMask();

    // ---- a case small enough to work out by hand -------------------------------------------------

    /** Identity A with two images; three distractors. */
    private MegaFaceConfig handMade(int mask) throws IOException {
        Path kit = dir.resolve("kit");
        SyntheticDevkit.writeFacescrubList(kit.resolve("facescrub_features_list.json"), List.of("A/A_1.jpg", "A/A_2.jpg"),
                List.of("A", "A"));
        SyntheticDevkit.writeMegafaceList(kit.resolve("megaface_features_list.json_3_1"),
                List.of("0/x/d_1.jpg", "0/x/d_2.jpg", "0/y/d_3.jpg"));
        MegaFaceConfig d = MegaFaceConfig.defaults(mask);
        return new MegaFaceConfig(kit.resolve("facescrub_features_list.json").toString(),
                kit.resolve("megaface_features_list.json_3_1").toString(), "", "", dir.resolve("crops").toString(), "",
                mask, dir.resolve("crops").toString(), "", d.facescrubCropDir(), d.megafaceCropDir(),
                d.maskedFacescrubCropDir(), 3, List.of(1, 3), 0, "java", 1, 2);
    }

    private static double[] ranks(ProtocolResult r, String benchmark, int k) {
        double[] out = new double[k];
        for (int n = 1; n <= k; n++) {
            String metric = "rank-" + n;
            out[n - 1] = r.scores().stream().filter(s -> s.benchmark().equals(benchmark) && s.metric().equals(metric))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + benchmark + " " + metric)).value();
        }
        return out;
    }

    @Test
    void rankNOnAHandMadeCase() throws IOException {
        Fixtures.MapLookup f = new Fixtures.MapLookup(2)
                .put("facescrub_crop/A/A_1.jpg", 1f, 0f)
                .put("facescrub_crop/A/A_2.jpg", 0.8f, 0.6f)
                .put("megaface_crop/0/x/d_1.jpg", 0.6f, 0.8f)
                .put("megaface_crop/0/x/d_2.jpg", 0f, 1f)
                .put("megaface_crop/0/y/d_3.jpg", 0.9f, 0f);
        for (String engine : List.of("java", "djl")) {
            MegaFaceConfig c = Fixtures.with(handMade(0), List.of(1, 3), 3, 0, engine, 1, 2);
            ProtocolResult r = megaFace.evaluate(c, f, null);
            // s(A1,A2) = 0.8. Probe A1 scores 0.6, 0, 0.9 on the distractors; probe A2 0.96, 0.6, 0.72.
            // With d_1 only: A1's r(1) = 0.6 (hit), A2's r(1) = 0.96 (miss); ranks beyond the distractors always hit.
            assertArrayEquals(new double[] {0.5, 1, 1}, ranks(r, "MegaFace@1", 3), engine);
            // All three: A1's r = 0.9, 0.6, 0; A2's r = 0.96, 0.72, 0.6. Neither at rank 1, both at rank 2.
            assertArrayEquals(new double[] {0, 1, 1}, ranks(r, "MegaFace@3", 3), engine);
            assertEquals(Map.of(), r.skipped());
            assertEquals(6, r.scores().size());
        }
    }

    @Test
    void megaFaceMaskScoresMaskedProbesAgainstUnmaskedGalleries() throws IOException {
        Fixtures.MapLookup f = new Fixtures.MapLookup(2)
                .put("facescrub_crop/A/A_1.jpg", 1f, 0f)
                .put("facescrub_crop/A/A_2.jpg", 0f, 1f)
                .put("masked_facescrub_crop/A/A_1.jpg", 0.6f, 0.8f)
                .put("masked_facescrub_crop/A/A_2.jpg", 0.8f, 0.6f)
                .put("megaface_crop/0/x/d_1.jpg", 1f, 0f)
                .put("megaface_crop/0/x/d_2.jpg", 0.7f, 0.7f)
                .put("megaface_crop/0/y/d_3.jpg", -1f, 0f);
        MegaFaceConfig c = Fixtures.with(handMade(1), List.of(3), 2, 0, "java", 1, 2);
        ProtocolResult r = megaFaceMask.evaluate(c, f, null);
        // (gallery A2, probe A1): s(u2, m1) = 0.8; m1 against the distractors: 0.6, 0.98, −0.6 → miss, hit.
        // (gallery A1, probe A2): s(u1, m2) = 0.8; m2: 0.8, 0.98, −0.8 → miss, and a tie at rank 2: a hit (≥).
        assertArrayEquals(new double[] {0, 1}, ranks(r, "MegaFace-Mask@3", 2));
        // The unmasked protocol on the same features gives something else: intra score s(u1, u2) = 0; u1 scores
        // 1, 0.7, −1 (miss, miss), u2 scores 0, 0.7, 0 (miss, then a tie with 0 at rank 2: hit).
        ProtocolResult plain = megaFace.evaluate(Fixtures.with(handMade(0), List.of(3), 2, 0, "java", 1, 2), f, null);
        assertArrayEquals(new double[] {0, 0.5}, ranks(plain, "MegaFace@3", 2));

        // FaceX-Zoo's MegaFace section with megaface-mask: 1 runs the masked protocol under MegaFace
        ProtocolResult viaFlag = megaFace.evaluate(c, f, null);
        assertArrayEquals(new double[] {0, 1}, ranks(viaFlag, "MegaFace-Mask@3", 2));
    }

    // ---- random cases against the definition ----------------------------------------------------

    /** Features with identity structure: a centre per identity, each image a noisy unit vector around it. */
    private static Fixtures.MapLookup randomFeatures(SyntheticDevkit.Result kit, MegaFaceConfig c, int dim, long seed) {
        Fixtures.MapLookup f = new Fixtures.MapLookup(dim);
        SplittableRandom r = new SplittableRandom(seed);
        java.util.Map<String, float[]> centres = new java.util.HashMap<>();
        for (int i = 0; i < kit.facescrubPaths().size(); i++) {
            float[] centre = centres.computeIfAbsent(kit.facescrubIds().get(i), id -> SearchBenchmark.randomUnit(r, dim));
            String p = kit.facescrubPaths().get(i);
            f.put(c.facescrubCropDir() + "/" + p, around(centre, 0.9, r));
            f.put(c.maskedFacescrubCropDir() + "/" + p, around(centre, 1.3, r));
        }
        for (String p : kit.megafacePaths()) {
            f.put(c.megafaceCropDir() + "/" + p, SearchBenchmark.randomUnit(r, dim));
        }
        return f;
    }

    private static float[] around(float[] centre, double spread, SplittableRandom r) {
        float[] n = SearchBenchmark.randomUnit(r, centre.length);
        float[] v = new float[centre.length];
        double s = 0;
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) (centre[k] + spread * n[k]);
            s += v[k] * v[k];
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= (float) Math.sqrt(s);
        }
        return v;
    }

    /** What the reference sees: the lookup's features after FaceX-Zoo's noise handling. */
    private static double[] reference(SyntheticDevkit.Result kit, MegaFaceConfig c, Fixtures.MapLookup f, boolean masked,
            int n) {
        List<String> fs = kit.facescrubPaths();
        float[][] gallery = new float[fs.size()][];
        float[][] probe = new float[fs.size()][];
        for (int i = 0; i < fs.size(); i++) {
            gallery[i] = f.feature(c.facescrubCropDir() + "/" + fs.get(i));
            probe[i] = f.feature((masked ? c.maskedFacescrubCropDir() : c.facescrubCropDir()) + "/" + fs.get(i));
        }
        float[][] d = new float[kit.megafacePaths().size()][];
        for (int i = 0; i < d.length; i++) {
            d[i] = f.feature(c.megafaceCropDir() + "/" + kit.megafacePaths().get(i));
        }
        NoiseRemoval.replaceFacescrubNoises(fs, gallery, kit.facescrubNoiseNames());
        NoiseRemoval.replaceFacescrubNoises(fs, probe, kit.facescrubNoiseNames());
        NoiseRemoval.zeroMegafaceNoises(kit.megafacePaths(), d, kit.megafaceNoisePaths());
        return Fixtures.reference(kit.facescrubIds(), gallery, probe, d, n, c.maxRank());
    }

    private SyntheticDevkit.Result kit() throws IOException {
        return SyntheticDevkit.builder(dir.resolve("synthetic")).images(false).identities(12).imagesPerIdentity(6)
                .distractors(2500).noises(6, 40).seed(5).write();
    }

    @Test
    void streamingSearchEqualsTheFullScoreMatrixForEveryBlockSizeAndThreadCount() throws IOException {
        SyntheticDevkit.Result kit = kit();
        for (boolean masked : new boolean[] {false, true}) {
            MegaFaceConfig base = Fixtures.config(kit, masked);
            Fixtures.MapLookup f = randomFeatures(kit, base, 24, 11);
            double[] at100 = reference(kit, base, f, masked, 100);
            double[] at2500 = reference(kit, base, f, masked, 2500);
            // the case is not degenerate: rank 1 is neither all hits nor all misses, and grows with rank
            assertTrue(at2500[0] > 0.05 && at2500[0] < 0.95, "rank-1 " + at2500[0]);
            assertTrue(at2500[9] > at2500[0]);
            assertTrue(at100[0] > at2500[0]);
            TestProtocol<MegaFaceConfig> p = masked ? megaFaceMask : megaFace;
            String name = masked ? "MegaFace-Mask" : "MegaFace";
            for (int block : new int[] {3, 64, 512}) {
                for (int threads : new int[] {1, 2, 3}) {
                    MegaFaceConfig c = Fixtures.with(base, List.of(), 10, 0, "java", threads, block);
                    ProtocolResult r = p.evaluate(c, f, null);
                    String what = name + ", block " + block + ", " + threads + " threads";
                    assertArrayEquals(at100, ranks(r, name + "@100", 10), what);
                    assertArrayEquals(at2500, ranks(r, name + "@2500", 10), what);
                    // the default counts: the devkit's up to the list's length, and the whole list
                    assertEquals(List.of(name + "@10", name + "@100", name + "@1000", name + "@2500"),
                            r.scores().stream().map(ProtocolResult.Score::benchmark).distinct().toList());
                }
            }
            ProtocolResult djl = p.evaluate(Fixtures.with(base, List.of(), 10, 0, "djl", 2, 256), f, null);
            assertArrayEquals(at2500, ranks(djl, name + "@2500", 10), name + " djl");
            // is_concat halves both sides of every comparison: nothing changes
            ProtocolResult halved = p.evaluate(Fixtures.with(base, List.of(2500), 10, 1, "java", 2, 512), f, null);
            assertArrayEquals(at2500, ranks(halved, name + "@2500", 10), name + " is_concat");
        }
    }

    @Test
    void noiseListsChangeTheResultAsFaceXZoosDo() throws IOException {
        SyntheticDevkit.Result kit = kit();
        MegaFaceConfig c = Fixtures.with(Fixtures.config(kit, false), List.of(2500), 10, 0, "java", 2, 512);
        Fixtures.MapLookup f = randomFeatures(kit, c, 24, 11);
        // noisy distractors become zero vectors: make them the best matches so removing them shows
        for (String p : kit.megafacePaths()) {
            if (kit.megafaceNoisePaths().contains(p)) {
                f.put(c.megafaceCropDir() + "/" + p, f.feature(c.facescrubCropDir() + "/" + kit.facescrubPaths().get(0)));
            }
        }
        double[] with = ranks(megaFace.evaluate(c, f, null), "MegaFace@2500", 10);
        double[] without = ranks(megaFace.evaluate(Fixtures.withoutNoiseLists(c), f, null), "MegaFace@2500", 10);
        assertArrayEquals(reference(kit, c, f, false, 2500), with);
        assertNotEquals(with[0], without[0]);
    }

    @Test
    void probesWithoutAFeatureAreSkippedAndCounted() throws IOException {
        SyntheticDevkit.Result kit = kit();
        for (boolean masked : new boolean[] {false, true}) {
            MegaFaceConfig c = Fixtures.with(Fixtures.config(kit, masked), List.of(2500), 10, 0, "java", 2, 512);
            Fixtures.MapLookup f = randomFeatures(kit, c, 24, 3);
            // one identity loses all but one image (no pairs left), another loses one; three distractors go
            for (int k = 1; k < 6; k++) {
                f.features.remove(c.facescrubCropDir() + "/" + kit.facescrubPaths().get(k));
            }
            f.features.remove(c.facescrubCropDir() + "/" + kit.facescrubPaths().get(9));
            f.features.remove(c.maskedFacescrubCropDir() + "/" + kit.facescrubPaths().get(20));
            for (int k = 0; k < 3; k++) {
                f.features.remove(c.megafaceCropDir() + "/" + kit.megafacePaths().get(k * 500));
            }
            TestProtocol<MegaFaceConfig> p = masked ? megaFaceMask : megaFace;
            ProtocolResult r = p.evaluate(c, f, null);
            String name = masked ? "MegaFace-Mask" : "MegaFace";
            assertEquals(6, r.skipped().get(MegaFaceProtocol.NO_FEATURE), name);
            assertEquals(masked ? Integer.valueOf(1) : null, r.skipped().get(MegaFaceProtocol.NO_MASKED_FEATURE), name);
            assertEquals(3, r.skipped().get(MegaFaceProtocol.NO_DISTRACTOR_FEATURE), name);
            assertArrayEquals(reference(kit, c, f, masked, 2500), ranks(r, name + "@2500", 10), name);
        }
    }

    @Test
    void noFaceScrubFeaturesAtAllIsNaNNotACrash() throws IOException {
        SyntheticDevkit.Result kit = kit();
        MegaFaceConfig c = Fixtures.with(Fixtures.config(kit, false), List.of(100), 3, 0, "djl", 2, 512);
        Fixtures.MapLookup f = randomFeatures(kit, c, 8, 1);
        f.features.keySet().removeIf(k -> k.startsWith(c.facescrubCropDir()));
        ProtocolResult r = megaFace.evaluate(c, f, null);
        assertEquals(kit.facescrubPaths().size(), r.skipped().get(MegaFaceProtocol.NO_FEATURE));
        assertTrue(Double.isNaN(ranks(r, "MegaFace@100", 3)[0]));
    }

    // ---- images, files, configuration -----------------------------------------------------------

    @Test
    void imagesAreTheListedOnesUnderTheirFolders() throws IOException {
        SyntheticDevkit.Result kit = kit();
        MegaFaceConfig c = Fixtures.config(kit, false);
        List<String> images = megaFace.images(c);
        assertEquals(kit.facescrubPaths().size() + kit.megafacePaths().size(), images.size());
        assertEquals("facescrub_crop/" + kit.facescrubPaths().get(0), images.get(0));
        assertEquals("megaface_crop/" + kit.megafacePaths().get(0), images.get(kit.facescrubPaths().size()));
        assertEquals(kit.croppedFaceFolder().toAbsolutePath().normalize(), megaFace.imageRoot(c));

        List<String> masked = megaFaceMask.images(Fixtures.config(kit, true));
        assertEquals(images.size() + kit.facescrubPaths().size(), masked.size());
        assertEquals("masked_facescrub_crop/" + kit.facescrubPaths().get(0), masked.get(images.size()));

        // an image list that lacks an image: it is not asked for (and later counted as skipped)
        List<String> lines = new ArrayList<>(Files.readAllLines(kit.imageList()));
        lines.remove("facescrub_crop/" + kit.facescrubPaths().get(2));
        Files.write(kit.imageList(), lines);
        assertFalse(megaFace.images(c).contains("facescrub_crop/" + kit.facescrubPaths().get(2)));
        assertEquals(images.size() - 1, megaFace.images(c).size());

        // masked crops outside cropped_face_folder: absolute paths, as TestProtocol allows for a second folder
        Path elsewhere = dir.resolve("masked_elsewhere");
        Files.createDirectories(elsewhere);
        MegaFaceConfig m = Fixtures.config(kit, true);
        m = new MegaFaceConfig(m.facescrubList(), m.megacefaceList(), m.facescrubNoisesFile(), m.megafaceNoisesFile(),
                m.croppedFaceFolder(), "", 1, elsewhere.toString(), "", m.facescrubCropDir(), m.megafaceCropDir(),
                m.maskedFacescrubCropDir(), 10, List.of(), 0, "java", 1, 512);
        List<String> abs = megaFaceMask.images(m);
        String first = abs.get(kit.facescrubPaths().size() + kit.megafacePaths().size());
        assertEquals(elsewhere.toAbsolutePath().normalize().resolve("masked_facescrub_crop")
                .resolve(kit.facescrubPaths().get(0)), Path.of(first));
    }

    @Test
    void writesTheCmcTableAndPlot() throws IOException {
        SyntheticDevkit.Result kit = kit();
        MegaFaceConfig c = Fixtures.with(Fixtures.config(kit, false), List.of(100, 2500), 10, 0, "java", 2, 512);
        Path out = Files.createDirectories(dir.resolve("out"));
        ProtocolResult r = megaFace.evaluate(c, randomFeatures(kit, c, 24, 11), out);
        Path csv = r.artifacts().get("CMC table (CSV)");
        Path png = r.artifacts().get("CMC plot (PNG)");
        assertEquals(out.resolve("megaface_cmc.csv"), csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("rank,distractors_100,distractors_2500", lines.get(0));
        assertEquals(12, lines.size());
        assertEquals(String.format(java.util.Locale.ROOT, "1,%.6f,%.6f", ranks(r, "MegaFace@100", 1)[0],
                ranks(r, "MegaFace@2500", 1)[0]), lines.get(1));
        // ΣM(M−1) over 12 identities of 6 images
        assertEquals("pairs,360,360", lines.get(11));
        assertNotNull(ImageIO.read(png.toFile()), "a readable PNG");
    }

    @Test
    void validationNamesTheKey() {
        MegaFaceConfig d = megaFace.defaultConfig();
        megaFace.validate(d);
        megaFaceMask.validate(megaFaceMask.defaultConfig());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> megaFaceMask.validate(d));
        assertEquals("megaface-mask", e.key());
        e = assertThrows(InvalidConfigException.class, () -> megaFace.validate(Fixtures.with(d, List.of(), 0, 0, "java", 1, 1)));
        assertEquals("max_rank", e.key());
        e = assertThrows(InvalidConfigException.class, () -> megaFace.validate(Fixtures.with(d, List.of(), 10, 0, "cuda", 1, 1)));
        assertEquals("engine", e.key());
        e = assertThrows(InvalidConfigException.class, () -> megaFace.validate(Fixtures.with(d, List.of(0), 10, 0, "java", 1, 1)));
        assertEquals("distractor_counts", e.key());
        e = assertThrows(InvalidConfigException.class, () -> megaFace.images(d));
        assertEquals("facescrub_list", e.key());
    }

    @Test
    void tooManyDistractorsRequestedIsAConfigError() throws IOException {
        SyntheticDevkit.Result kit = kit();
        MegaFaceConfig c = Fixtures.with(Fixtures.config(kit, false), List.of(10, 1_000_000), 10, 0, "java", 1, 512);
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> megaFace.evaluate(c, randomFeatures(kit, c, 8, 1), null));
        assertEquals("distractor_counts", e.key());
        assertTrue(e.getMessage().contains("1000000 is more than the 2500 distractors"), e.getMessage());
    }

    @Test
    void bothPluginsArePublished() {
        Set<String> names = new java.util.TreeSet<>();
        for (TestProtocol<?> p : ServiceLoader.load(TestProtocol.class)) {
            names.add(p.name());
        }
        assertEquals(Set.of("MegaFace", "MegaFace-Mask"), names);
    }
}
