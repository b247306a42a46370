package io.facex.protocol.megaface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facex.core.config.ConfigDocument;
import io.facex.core.config.ConfigException;
import io.facex.core.config.Configs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FaceX-Zoo's data_conf.yaml MegaFace section binds unchanged, through the platform's strict binder. */
class ConfigBindingTest {

    @TempDir
    Path dir;

    static final String FACEXZOO = """
            LFW:
                pairs_file_path: /data/lfw/pairs.txt
                cropped_face_folder: /data/lfw/lfw_crop
                image_list_file_path: /data/lfw/img_list.txt

            MegaFace:
                facescrub_list: /devkit/templatelists/facescrub_features_list.json
                megaceface_list: /devkit/templatelists/megaface_features_list.json_1000000_1
                facescrub_noises_file: /devkit/scripts/facescrub_noises.txt
                megaface_noises_file: /devkit/scripts/megaface_noises.txt
                cropped_face_folder: /data/megaface/face_crop_arcface
                image_list_file: /data/megaface/face_crop_arcface/img_list.txt
                megaface-mask: 0
                masked_cropped_face_folder: /data/megaface/face_crop_arcface
                masked_image_list_file: /data/megaface/face_crop_arcface/masked_facescrub_crop/img_list.txt
            """;

    private ConfigDocument doc(String yaml) throws IOException {
        Path f = dir.resolve("data_conf.yaml");
        Files.writeString(f, yaml);
        return ConfigDocument.read(f);
    }

    @Test
    void faceXZoosSectionBindsUnchanged() throws IOException {
        MegaFaceConfig c = Configs.bind(new MegaFace(), doc(FACEXZOO), "MegaFace");
        assertEquals("/devkit/templatelists/megaface_features_list.json_1000000_1", c.megacefaceList());
        assertEquals(0, c.megafaceMask());
        assertEquals("/data/megaface/face_crop_arcface/masked_facescrub_crop/img_list.txt", c.maskedImageListFile());
        assertEquals(10, c.maxRank());
        assertEquals("facescrub_crop", c.facescrubCropDir());
        assertTrue(Configs.keysOf(c).contains("megaface-mask"), Configs.keysOf(c).toString());

        MegaFaceConfig masked = Configs.bind(new MegaFace(), doc(FACEXZOO.replace("megaface-mask: 0", "megaface-mask: 1")),
                "MegaFace");
        assertTrue(new MegaFace().masked(masked), "megaface-mask: 1 evaluates MegaFace-Mask, as in FaceX-Zoo");
    }

    @Test
    void oursAndTheirsTogether() throws IOException {
        String yaml = FACEXZOO + """
                MegaFace-Mask:
                    facescrub_list: /devkit/f.json
                    megaceface_list: /devkit/m.json
                    cropped_face_folder: /crops
                    masked_cropped_face_folder: /masked
                    max_rank: 5
                    distractor_counts: [1000, 10000]
                    engine: java
                    threads: 2
                    block_size: 1024
                """;
        MegaFaceConfig c = Configs.bind(new MegaFaceMask(), doc(yaml), "MegaFace-Mask");
        assertEquals(1, c.megafaceMask());
        assertEquals(List.of(1000, 10000), c.distractorCounts());
        assertEquals(1024, c.blockSize());
    }

    @Test
    void mistakesNameFileLineAndKey() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> Configs.bind(new MegaFace(),
                doc(FACEXZOO.replace("megaceface_list", "megaface_list")), "MegaFace"));
        assertEquals(8, e.line());
        assertTrue(e.getMessage().contains("megaface_list: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'megaceface_list'"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> Configs.bind(new MegaFaceMask(),
                doc(FACEXZOO.replace("MegaFace:", "MegaFace-Mask:")), "MegaFace-Mask"));
        assertEquals(13, e.line());
        assertTrue(e.getMessage().contains("megaface-mask"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> Configs.bind(new MegaFace(),
                doc(FACEXZOO.replace("megaface-mask: 0", "megaface-mask: yes")), "MegaFace"));
        assertEquals(13, e.line());
    }
}
