package io.facex.protocol.verification;

import io.facex.api.FeatureLookup;
import io.facex.api.ProtocolResult;
import io.facex.api.TestProtocol;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.tools.synthetic.SyntheticFaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every protocol plugin's end-to-end test needs (shipped in this module's test jar): synthetic
 * benchmark files over real images, features whose quality is known, and one check of a protocol run.
 */
public final class ProtocolFixtures {

    /** 40 held-out identities of 4 images: 10 folds of 10 + 10 pairs in every list. */
    public static final int IDENTITIES = 40;
    public static final int IMAGES = 4;
    public static final int PAIRS_PER_FOLD = 10;
    static final int DIM = 32;

    private ProtocolFixtures() {
    }

    public static SyntheticBenchmarks.Result benchmarks(Path dir) throws IOException {
        SyntheticFaces.Result faces = SyntheticFaces.builder(dir.resolve("faces")).identities(0)
                .heldOutIdentities(IDENTITIES).imagesPerIdentity(IMAGES).folds(10).pairsPerFold(PAIRS_PER_FOLD)
                .seed(7).threads(2).generate();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < IDENTITIES; i++) {
            names.add(SyntheticFaces.testName(i));
        }
        return SyntheticBenchmarks.write(faces, names, IMAGES, PAIRS_PER_FOLD, 7, dir.resolve("bench"));
    }

    /** A protocol's section of a FaceX-Zoo data_conf.yaml, through the platform's strict binder. */
    public static <C> C bind(TestProtocol<C> protocol, Path dataConf, String section) {
        return Configs.bind(protocol, ConfigDocument.read(dataConf), section);
    }

    /**
     * Unit features, deterministic per image path: with {@code knowsIdentity}, the identity's vector
     * (identity = the image's folder, as in LFW's layout) plus a third as much noise, so verification is
     * near perfect; without, noise alone, so it is a coin toss. {@code missing} (a path suffix, or null)
     * has no feature, as an image that could not be read.
     */
    public static FeatureLookup features(boolean knowsIdentity, String missing) {
        return new FeatureLookup() {
            @Override
            public float[] feature(String image) {
                if (missing != null && image.endsWith(missing)) {
                    return null;
                }
                Path p = Path.of(image);
                Random id = new Random(p.getParent().getFileName().toString().hashCode());
                // seeded by identity/file alone: RFW's absolute paths hold a temporary folder that changes every run
                Random noise = new Random((p.getParent().getFileName() + "/" + p.getFileName()).hashCode() * 31L + 17);
                float[] v = new float[DIM];
                double n = 0;
                for (int d = 0; d < DIM; d++) {
                    v[d] = (float) ((knowsIdentity ? id.nextGaussian() : 0) + 0.35 * noise.nextGaussian());
                    n += v[d] * v[d];
                }
                for (int d = 0; d < DIM; d++) {
                    v[d] /= (float) Math.sqrt(n);
                }
                return v;
            }

            @Override
            public int dimension() {
                return DIM;
            }
        };
    }

    public static ProtocolResult.Score score(ProtocolResult r, String benchmark, String metric) {
        return r.scores().stream().filter(s -> s.benchmark().equals(benchmark) && s.metric().equals(metric))
                .findFirst().orElse(null);
    }

    /**
     * Runs a configured protocol end to end and checks what every verification protocol must do: its
     * images exist where it says; identity-aware features verify (accuracy &gt; 0.95), noise does not
     * (0.5 ± 0.15); TAR is reported at the FARs the different-person pairs can measure (100 per list:
     * 1e-1 and 1e-2, not 1e-3); the ROC is drawn; every listed pair comes back with its label and its
     * float32 cosine; and the pairs of an image without a feature are counted as skipped, as many as the
     * lists hold, and still listed, without a score.
     *
     * @param sections   the data_conf.yaml sections behind each reported benchmark, in order
     * @param benchmarks the benchmark names the protocol reports, one per section
     */
    public static <C> void checkEndToEnd(TestProtocol<C> protocol, C config, SyntheticBenchmarks.Result bench,
                                         List<String> sections, List<String> benchmarks, Path out) throws IOException {
        List<String> images = protocol.images(config);
        assertFalse(images.isEmpty());
        for (String image : images) {
            assertTrue(Files.isRegularFile(protocol.imageRoot(config).resolve(image)), image);
        }

        ProtocolResult good = protocol.evaluate(config, features(true, null), Files.createDirectories(out.resolve("good")));
        ProtocolResult noise = protocol.evaluate(config, features(false, null), Files.createDirectories(out.resolve("noise")));
        assertTrue(good.skipped().isEmpty(), good.skipped().toString());
        for (String b : benchmarks) {
            assertTrue(score(good, b, "accuracy").value() > 0.95, b + ": " + good.scores());
            assertTrue(Math.abs(score(noise, b, "accuracy").value() - 0.5) < 0.15, b + ": " + noise.scores());
            assertTrue(score(good, b, "TAR@FAR=1e-1").value() > 0.9, b + ": " + good.scores());
            assertTrue(score(good, b, "TAR@FAR=1e-2") != null && score(good, b, "TAR@FAR=1e-3") == null,
                    b + ": " + good.scores());
            assertTrue(Files.size(good.artifacts().get(b + " ROC curve")) > 1000, good.artifacts().toString());
        }
        checkPairs(good, features(true, null), bench, sections, benchmarks);

        String missing = bench.pairs().get(sections.get(0)).get(0).image1();
        int expected = 0;
        for (String s : sections) {
            expected += (int) bench.pairs().get(s).stream()
                    .filter(p -> p.image1().equals(missing) || p.image2().equals(missing)).count();
        }
        ProtocolResult some = protocol.evaluate(config, features(true, missing), Files.createDirectories(out.resolve("some")));
        assertTrue(expected > 0);
        assertEquals(expected, some.skipped().values().stream().mapToInt(Integer::intValue).sum(), some.skipped().toString());
        assertTrue(score(some, benchmarks.get(0), "accuracy").value() > 0.9, some.scores().toString());
        checkPairs(some, features(true, missing), bench, sections, benchmarks);
        List<ProtocolResult.PairScore> unscored = some.pairs().stream().filter(p -> !p.scored()).toList();
        assertEquals(expected, unscored.size(), unscored.toString());
        assertTrue(unscored.stream().allMatch(p -> p.image1().endsWith(missing) || p.image2().endsWith(missing)),
                unscored.toString());
    }

    /**
     * {@link ProtocolResult#pairs()}: as many as the lists hold, in their order, each with its benchmark,
     * images and label; a score exactly the float32 dot product of the two features, or NaN where an image
     * has none.
     */
    public static void checkPairs(ProtocolResult r, FeatureLookup features, SyntheticBenchmarks.Result bench,
                                  List<String> sections, List<String> benchmarks) {
        int i = 0;
        for (int k = 0; k < sections.size(); k++) {
            for (SyntheticBenchmarks.ListedPair listed : bench.pairs().get(sections.get(k))) {
                assertTrue(i < r.pairs().size(), "fewer pairs than listed: " + r.pairs().size());
                ProtocolResult.PairScore p = r.pairs().get(i++);
                String where = sections.get(k) + " pair " + i + ": " + p;
                assertEquals(benchmarks.get(k), p.benchmark(), where);
                // RFW's paths are absolute (its races have folders of their own), the others relative
                assertTrue(p.image1().endsWith(listed.image1()) && p.image2().endsWith(listed.image2()), where + " vs " + listed);
                assertEquals(listed.same(), p.same(), where);
                float[] a = features.feature(p.image1());
                float[] b = features.feature(p.image2());
                if (a == null || b == null) {
                    assertTrue(Double.isNaN(p.score()) && !p.scored(), where);
                } else {
                    float dot = 0;
                    for (int d = 0; d < a.length; d++) {
                        dot += a[d] * b[d];
                    }
                    assertEquals(dot, p.score(), 0.0, where);
                }
            }
        }
        assertEquals(i, r.pairs().size(), "more pairs than listed");
    }
}
