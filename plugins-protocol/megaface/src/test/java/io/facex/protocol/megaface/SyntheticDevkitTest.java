package io.facex.protocol.megaface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facex.api.FeatureLookup;
import io.facex.api.ProtocolResult;
import io.facex.tools.synthetic.PixelBaseline;
import io.facex.tools.synthetic.SyntheticDevkit;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic devkit (tools/synthetic) read back by the protocol, and evaluated end to end. */
class SyntheticDevkitTest {

    @TempDir
    Path dir;

    @Test
    void listsReadBackAsWritten() throws IOException {
        SyntheticDevkit.Result kit = SyntheticDevkit.builder(dir).images(false).identities(4).imagesPerIdentity(3)
                .distractors(250).noises(3, 5).seed(9).write();
        DevkitFiles.FacescrubList fs = DevkitFiles.readFacescrubList(kit.facescrubList());
        assertEquals(kit.facescrubPaths(), fs.paths());
        assertEquals(kit.facescrubIds(), fs.ids());
        assertEquals(12, fs.paths().size());
        assertEquals(4, new LinkedHashSet<>(fs.ids()).size());
        assertEquals("megaface_features_list.json_250_1", kit.megafaceList().getFileName().toString());
        assertEquals(kit.megafacePaths(), DevkitFiles.readMegafaceList(kit.megafaceList()));
        kit.megafacePaths().forEach(p -> assertEquals(3, p.split("/").length, p));
        assertEquals(kit.facescrubNoiseNames(), DevkitFiles.readFacescrubNoises(kit.facescrubNoises()));
        assertEquals(3, kit.facescrubNoiseNames().size());
        assertEquals(kit.megafaceNoisePaths(), DevkitFiles.readMegafaceNoises(kit.megafaceNoises()));
        assertEquals(5, kit.megafaceNoisePaths().size());
        assertTrue(Files.readString(kit.megafaceNoises()).contains("\t"), "both noise line forms are exercised");
        assertEquals(262, DevkitFiles.readImageList(kit.imageList()).size());
        // the configuration it names is what the protocol reads back
        assertEquals(262, new MegaFace().images(Fixtures.config(kit, false)).size());
        assertEquals(274, new MegaFaceMask().images(Fixtures.config(kit, true)).size());
        // the same seed writes the same files
        SyntheticDevkit.Result again = SyntheticDevkit.builder(dir.resolve("again")).images(false).identities(4)
                .imagesPerIdentity(3).distractors(250).noises(3, 5).seed(9).write();
        assertEquals(Files.readString(kit.facescrubNoises()), Files.readString(again.facescrubNoises()));
        assertEquals(Files.readString(kit.megafaceNoises()), Files.readString(again.megafaceNoises()));
    }

    @Test
    void runsEndToEndOnRenderedImages() throws IOException {
        SyntheticDevkit.Result kit = SyntheticDevkit.builder(dir).identities(4).imagesPerIdentity(3).distractors(30)
                .noises(1, 2).nuisance(0.3).write();
        assertTrue(Files.readString(kit.dataConf()).contains("megaface-mask: 0"));
        for (boolean masked : new boolean[] {false, true}) {
            MegaFaceProtocol p = masked ? new MegaFaceMask() : new MegaFace();
            MegaFaceConfig c = Fixtures.config(kit, masked);
            Path root = p.imageRoot(c);
            Map<String, float[]> features = new HashMap<>();
            List<String> images = p.images(c);
            for (String image : images) {
                // raw pixels as the "network": enough to tell these identities apart better than chance
                features.put(image, PixelBaseline.feature(root.resolve(image)));
            }
            int dim = features.values().iterator().next().length;
            FeatureLookup lookup = new FeatureLookup() {
                @Override
                public float[] feature(String image) {
                    return features.get(image);
                }

                @Override
                public int dimension() {
                    return dim;
                }
            };
            Path out = Files.createDirectories(dir.resolve("out" + masked));
            ProtocolResult r = p.evaluate(c, lookup, out);
            String name = masked ? "MegaFace-Mask@30" : "MegaFace@30";
            double rank10 = r.scores().stream().filter(s -> s.benchmark().equals(name) && s.metric().equals("rank-10"))
                    .findFirst().orElseThrow().value();
            assertTrue(rank10 > 0 && rank10 <= 1, name + " rank-10 " + rank10);
            assertEquals(Map.of(), r.skipped());
            assertEquals(2, r.artifacts().size());
        }
        BufferedImage plain = ImageIO.read(kit.croppedFaceFolder().resolve("facescrub_crop").resolve(kit.facescrubPaths().get(0)).toFile());
        BufferedImage masked = ImageIO.read(kit.croppedFaceFolder().resolve("masked_facescrub_crop").resolve(kit.facescrubPaths().get(0)).toFile());
        assertEquals(112, plain.getWidth());
        // the mask covers the lower face only
        assertEquals(plain.getRGB(56, 10), masked.getRGB(56, 10));
        assertTrue(plain.getRGB(56, 85) != masked.getRGB(56, 85));
    }

    /** For FMA-3D's masks instead of the stand-in: no masked probes, and every probe's five landmarks. */
    @Test
    void withoutStandInMasksTheProbesLandmarksAreWrittenForFacexAddmask() throws IOException {
        Path out = dir.resolve("fma");
        SyntheticDevkit.Result kit = SyntheticDevkit.builder(out).identities(3).imagesPerIdentity(2).distractors(5)
                .standInMasks(false).seed(4).write();
        assertFalse(Files.exists(kit.croppedFaceFolder().resolve(SyntheticDevkit.MASKED_FACESCRUB_CROP)));
        List<String> lines = Files.readAllLines(kit.facescrubLandmarks());
        assertEquals(kit.facescrubPaths(), lines.stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(lines.stream().allMatch(l -> l.split(" ")[1].split(",").length == 10), lines.get(0));
        assertTrue(Files.isRegularFile(kit.croppedFaceFolder().resolve(SyntheticDevkit.FACESCRUB_CROP).resolve(kit.facescrubPaths().get(0))));
    }
}
