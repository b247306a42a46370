package io.facex.core.eval;

import io.facex.backbone.mobilefacenet.MobileFaceNet;
import io.facex.core.checkpoint.Checkpoint;
import io.facex.core.checkpoint.ModelResolver;
import io.facex.core.config.Configs;
import io.facex.core.embed.Embedder;
import io.facex.core.embed.Faces;
import io.facex.data.EyeCrop;
import io.facex.data.ImageOps;
import io.facex.tools.synthetic.SyntheticFaces;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An upper-face model is recorded as one in its checkpoint, and evaluated and embedded on upper halves. */
class EyeCropEvalTest {

    @TempDir
    static Path dir;
    static Path root;
    static List<String> images;

    static final MobileFaceNet NET = new MobileFaceNet();
    static final MobileFaceNet.Config EYE = new MobileFaceNet.Config(64, 4, 7);
    static final MobileFaceNet.Config FULL = new MobileFaceNet.Config(64, 7, 7);

    @BeforeAll
    static void data() throws Exception {
        SyntheticFaces.Result r = SyntheticFaces.builder(dir.resolve("data")).identities(0).heldOutIdentities(2)
                .imagesPerIdentity(3).folds(1).pairsPerFold(1).seed(4).threads(1).generate();
        root = r.testRoot();
        images = Files.readAllLines(r.imageList());
    }

    private static ModelResolver resolver() {
        return new ModelResolver(name -> NET, () -> List.of("MobileFaceNet"));
    }

    /** A checkpoint holding no tensors, only the metadata training writes. */
    private static Path checkpoint(String name, MobileFaceNet.Config c, String cropEye) throws Exception {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", Checkpoint.FORMAT);
        meta.put(Checkpoint.BACKBONE, "MobileFaceNet");
        meta.put(Checkpoint.BACKBONE_CONFIG, Configs.toJson(c));
        meta.put(Checkpoint.HEAD, "MV-Softmax");
        if (cropEye != null) {
            meta.put(Checkpoint.CROP_EYE, cropEye);
        }
        Path file = dir.resolve(name + ".safetensors");
        Checkpoint.write(file, Map.of(), meta);
        return file;
    }

    @Test
    void theCropRoundTripsThroughCheckpointMetadata() throws Exception {
        Path eye = checkpoint("eye", EYE, "true");
        Path full = checkpoint("full", FULL, "false");
        Path old = checkpoint("old", FULL, null);
        assertTrue(ModelResolver.describedModel(eye).orElseThrow().cropEye());
        assertFalse(ModelResolver.describedModel(full).orElseThrow().cropEye());
        assertFalse(ModelResolver.describedModel(old).orElseThrow().cropEye(), "checkpoints from before the key: full faces");

        ModelResolver.Resolved<?> r = resolver().resolve(eye, "", null);
        assertTrue(r.cropEye());
        assertEquals(EYE, r.config());
        assertTrue(resolver().resolve(eye, "", null, true).cropEye(), "saying what the checkpoint says is fine");
        assertFalse(resolver().resolve(full, "", null).cropEye());
    }

    @Test
    void aContradictionOfTheCheckpointIsRefused() throws Exception {
        Path eye = checkpoint("eye2", EYE, "true");
        Path full = checkpoint("full2", FULL, "false");
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> resolver().resolve(full, "", null, true));
        assertEquals(full + " was trained on full faces (crop_eye: false in its metadata), not upper halves: drop --crop_eye "
                + "(the checkpoint says how it was trained)", a.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> resolver().resolve(eye, "", null, false));
        assertTrue(b.getMessage().startsWith(eye + " was trained on upper-half faces (crop_eye: true in its metadata)"),
                b.getMessage());
    }

    @Test
    void weightsThatDoNotSayTakeTheCropWhenToldAndNeedAnUpperFaceBackbone() throws Exception {
        Path conf = Files.writeString(dir.resolve("backbone_conf.yaml"), "MobileFaceNet:\n  feat_dim: 64\n  out_h: 7\n  out_w: 7\n");
        Path pt = Files.writeString(dir.resolve("facexzoo.pt"), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolver().resolve(pt, "MobileFaceNet", conf, true));
        assertTrue(e.getMessage().startsWith(pt + ": crop_eye gives 112x60 faces (the top 60 rows of the aligned 112x112 "
                + "face), but the backbone takes 112x112 (for MobileFaceNet and the other FaceX-Zoo backbones set out_h: 4)"),
                e.getMessage());
        Files.writeString(conf, "MobileFaceNet:\n  feat_dim: 64\n  out_h: 4\n  out_w: 7\n");
        assertTrue(resolver().resolve(pt, "MobileFaceNet", conf, true).cropEye());
        assertFalse(resolver().resolve(pt, "MobileFaceNet", conf, null).cropEye());
    }

    @Test
    void extractionFeedsTheTopSixtyRowsOfEachFace() throws Exception {
        try (Embedder<MobileFaceNet.Config> e = new Embedder<>(NET, EYE, null)) {
            assertEquals(List.of(3L, 60L, 112L), List.of(e.faceShape().get(0), e.faceShape().get(1), e.faceShape().get(2)));
            FeatureSet cropped = new FeatureExtractor(1, false, 50_000_000, true).extract(e, root, images, n -> { });
            assertTrue(cropped.failures().isEmpty(), cropped.failures().toString());
            float[] chw = new float[images.size() * 3 * 60 * 112];
            for (int i = 0; i < images.size(); i++) {
                try (Mat face = ImageOps.read(root.resolve(images.get(i))); Mat upper = EyeCrop.of(face)) {
                    ImageOps.toChw(upper, chw, i * 3 * 60 * 112, false);
                }
            }
            assertArrayEquals(e.embed(chw, images.size(), true), cropped.values(), 1e-5f);
            // without the crop, the same network sees the whole face squeezed to 60 rows: other features
            FeatureSet squeezed = new FeatureExtractor(1, false, 50_000_000, false).extract(e, root, images, n -> { });
            assertNotEquals(cropped.values()[0], squeezed.values()[0]);

            // facex embed reads an image list the same way
            Path list = Files.write(dir.resolve("list.txt"), images);
            Faces faces = Faces.read(list, root, e.faceShape(), 50_000_000, true);
            assertArrayEquals(chw, faces.values());
        }
    }

    @Test
    void cacheEntriesOfUpperAndFullFacesDiffer() {
        List<String> list = List.of("a.jpg");
        String full = FeatureCache.key("d", "MobileFaceNet", EYE, root, false, list, "LFW");
        assertEquals(full, FeatureCache.key("d", "MobileFaceNet", EYE, root, false, false, list, "LFW"));
        assertNotEquals(full, FeatureCache.key("d", "MobileFaceNet", EYE, root, false, true, list, "LFW"));
    }

}
