package io.facex.core.eval;

import io.facex.backbone.mobilefacenet.MobileFaceNet;
import io.facex.core.embed.Embedder;
import io.facex.tools.synthetic.SyntheticFaces;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Extraction, flip fusion, bad images and the cache's refusal to reuse features of another list. */
class FeaturesTest {

    @TempDir
    static Path dir;
    static Path root;
    static List<String> images;
    static Path weights;

    @BeforeAll
    static void data() throws Exception {
        SyntheticFaces.Result r = SyntheticFaces.builder(dir.resolve("data")).identities(0).heldOutIdentities(3)
                .imagesPerIdentity(25).folds(1).pairsPerFold(2).seed(3).threads(2).generate();
        root = r.testRoot();
        images = new ArrayList<>(Files.readAllLines(r.imageList()));
        Files.write(root.resolve("broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        images.add(10, "broken.jpg");
        images.add(70, "nowhere/missing.jpg");
        weights = Path.of("../platform-weights/src/test/resources/fixtures/mobilefacenet_state_dict.npz");
    }

    private static Embedder<MobileFaceNet.Config> embedder() throws Exception {
        MobileFaceNet net = new MobileFaceNet();
        return new Embedder<>(net, net.defaultConfig(), weights);
    }

    @Test
    void featuresAreUnitRowsInListOrderAndBadImagesAreNamed() throws Exception {
        try (Embedder<MobileFaceNet.Config> e = embedder()) {
            AtomicInteger seen = new AtomicInteger();
            FeatureSet one = new FeatureExtractor(1, false).extract(e, root, images, seen::addAndGet);
            FeatureSet three = new FeatureExtractor(3, false).extract(e, root, images, n -> { });
            assertEquals(images.size(), seen.get());
            assertEquals(2, one.failures().size(), one.failures().toString());
            assertTrue(one.failures().get("nowhere/missing.jpg").contains("no such image"));
            assertTrue(one.failures().get("broken.jpg").contains("broken.jpg"), one.failures().get("broken.jpg"));
            assertNull(one.feature("broken.jpg"));
            assertNull(one.feature("not/in/the/list.jpg"));
            assertArrayEquals(one.values(), three.values(), "thread count must not change a feature");
            float[] f = one.feature(images.get(0));
            double n = 0;
            for (float v : f) {
                n += v * v;
            }
            assertEquals(1.0, n, 1e-5);
            // the same image alone gives the same row: list order is kept across batches
            FeatureSet single = new FeatureExtractor(1, false).extract(e, root, List.of(images.get(71)), k -> { });
            assertArrayEquals(single.values(), one.feature(images.get(71)), 1e-5f);
            // a smaller batch (bench extract --batch) changes neither rows nor order, nor which images failed
            AtomicInteger seenBy5 = new AtomicInteger();
            FeatureSet byFive = new FeatureExtractor(2, false, io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS, false, 5)
                    .extract(e, root, images, seenBy5::addAndGet);
            assertEquals(images.size(), seenBy5.get());
            assertEquals(one.failures().keySet(), byFive.failures().keySet());
            assertArrayEquals(one.values(), byFive.values(), 1e-5f);
            assertThrows(IllegalArgumentException.class,
                    () -> new FeatureExtractor(1, false, io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS, false, 0));
        }
    }

    @Test
    void flipFusionIsTheNormalisedSumOfBothViews() throws Exception {
        int w = 112, h = 112;
        float[] face = new float[3 * h * w];
        for (int i = 0; i < face.length; i++) {
            face[i] = (float) Math.sin(i * 0.01);
        }
        float[] mirrored = FeatureExtractor.mirror(face, 1, w, h);
        assertEquals(face[5 * w + 3], mirrored[5 * w + w - 4]);
        assertArrayEquals(face, FeatureExtractor.mirror(mirrored, 1, w, h));
        try (Embedder<MobileFaceNet.Config> e = embedder()) {
            List<String> some = images.subList(0, 5);
            FeatureSet fused = new FeatureExtractor(2, true).extract(e, root, some, k -> { });
            FeatureSet plain = new FeatureExtractor(2, false).extract(e, root, some, k -> { });
            assertNotEquals(plain.feature(some.get(0))[0], fused.feature(some.get(0))[0]);
            double n = 0;
            for (float v : fused.feature(some.get(0))) {
                n += v * v;
            }
            assertEquals(1.0, n, 1e-5);
        }
    }

    @Test
    void theCacheServesOnlyTheListItWasMadeFrom() throws Exception {
        Path cacheDir = dir.resolve("cache");
        FeatureCache cache = new FeatureCache(cacheDir);
        List<String> list = List.of("a.jpg", "b.jpg", "c.jpg");
        MobileFaceNet.Config c = new MobileFaceNet().defaultConfig();
        String model = FeatureCache.modelDigest(weights);
        String key = FeatureCache.key(model, "MobileFaceNet", c, root, false, list, "LFW");
        assertEquals(key, FeatureCache.key(FeatureCache.modelDigest(weights), "MobileFaceNet", c, root, false, list, "LFW"));
        assertNotEquals(key, FeatureCache.key(model, "MobileFaceNet", c, root, true, list, "LFW"));
        assertNotEquals(key, FeatureCache.key(model, "MobileFaceNet", c, root, false, List.of("a.jpg", "c.jpg"), "LFW"));
        assertNotEquals(key, FeatureCache.key(FeatureCache.modelDigest(Path.of("../platform-weights/src/test/resources/"
                + "fixtures/facexzoo_mobilefacenet_mv_epoch0.pt")), "MobileFaceNet", c, root, false, list, "LFW"));
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(notes, true, StandardCharsets.UTF_8);
        FeatureSet set = new FeatureSet(list, new float[] {1, 0, 0, 1, 0.6f, 0.8f}, 2,
                java.util.Map.of("b.jpg", "b.jpg: cannot decode"));
        assertTrue(cache.load(key, list, out).isEmpty());
        cache.store(key, set);
        FeatureSet back = cache.load(key, list, out).orElseThrow();
        assertArrayEquals(set.values(), back.values());
        assertNull(back.feature("b.jpg"));
        assertNotNull(back.feature("c.jpg"));
        assertEquals("", notes.toString(StandardCharsets.UTF_8));

        assertTrue(cache.load(key, List.of("a.jpg", "x.jpg", "c.jpg"), out).isEmpty());
        assertTrue(notes.toString(StandardCharsets.UTF_8).contains("image 2 is b.jpg, asked for x.jpg"), notes.toString());
        Files.write(cacheDir.resolve(key + ".npy"), new byte[] {1, 2, 3});
        assertTrue(cache.load(key, list, out).isEmpty());
        assertTrue(notes.toString(StandardCharsets.UTF_8).contains("is unreadable"), notes.toString());
    }

    @Test
    void checkpointFoldersAreEvaluatedInEpochOrder(@TempDir Path run) throws Exception {
        for (String f : List.of("Epoch_10.safetensors", "Epoch_2.safetensors", "Epoch_2_batch_99.safetensors",
                "train.log", ".Epoch_11.safetensors.partial", "Epoch_1.pt")) {
            Files.writeString(run.resolve(f), "");
        }
        assertEquals(List.of("Epoch_1", "Epoch_2_batch_99", "Epoch_2", "Epoch_10"),
                EvalCommand.models(run).stream().map(m -> EvalCommand.modelName(m.get(0))).toList());
    }
}
