package io.facex.protocol.megaface;

import io.facex.tools.synthetic.SyntheticDevkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevkitFilesTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void readsTheDevkitJsonLists() throws IOException {
        Path fs = file("facescrub_features_list.json",
                "{\"path\": [\"Adam_Brody/Adam_Brody_1.jpg\", \"Adam_Brody/Adam_Brody_2.jpg\", \"Bea/Bea_7.jpg\"],\n"
                        + " \"id\": [\"Adam_Brody\", \"Adam_Brody\", \"Bea\"]}");
        DevkitFiles.FacescrubList l = DevkitFiles.readFacescrubList(fs);
        assertEquals(List.of("Adam_Brody/Adam_Brody_1.jpg", "Adam_Brody/Adam_Brody_2.jpg", "Bea/Bea_7.jpg"), l.paths());
        assertEquals(List.of("Adam_Brody", "Adam_Brody", "Bea"), l.ids());

        Path mf = file("megaface_features_list.json_10_1", "{\"path\": [\"100/1@N00/a_0.jpg\", \"100/1@N00/b_1.jpg\"]}");
        assertEquals(List.of("100/1@N00/a_0.jpg", "100/1@N00/b_1.jpg"), DevkitFiles.readMegafaceList(mf));
    }

    @Test
    void aListOfTheWrongKindSaysSoAndNamesTheFile() throws IOException {
        Path mf = file("megaface_features_list.json_10_1", "{\"path\": [\"100/1@N00/a_0.jpg\"]}");
        IOException e = assertThrows(IOException.class, () -> DevkitFiles.readFacescrubList(mf));
        assertTrue(e.getMessage().startsWith(mf + ": no \"id\" list"), e.getMessage());
        assertTrue(e.getMessage().contains("MegaFace distractor list"), e.getMessage());

        Path fs = file("facescrub_features_list.json", "{\"path\": [\"A/A_1.jpg\"], \"id\": [\"A\"]}");
        e = assertThrows(IOException.class, () -> DevkitFiles.readMegafaceList(fs));
        assertTrue(e.getMessage().startsWith(fs + ": has an \"id\" list"), e.getMessage());

        Path text = file("img_list.txt", "facescrub_crop/A/A_1.jpg\nfacescrub_crop/A/A_2.jpg\n");
        e = assertThrows(IOException.class, () -> DevkitFiles.readFacescrubList(text));
        assertEquals(text + ":1: expected a FaceScrub list (facescrub_features_list.json) (a JSON object), found a text "
                + "line 'facescrub_crop/A/A_1.jpg'", e.getMessage());
    }

    @Test
    void jsonErrorsCarryFileAndLine() throws IOException {
        Path bad = file("facescrub_features_list.json", "{\"path\": [\"A/A_1.jpg\",\n \"A/A_2.jpg\"\n \"id\": []}");
        IOException e = assertThrows(IOException.class, () -> DevkitFiles.readFacescrubList(bad));
        assertTrue(e.getMessage().startsWith(bad + ":3: not valid JSON"), e.getMessage());

        Path uneven = file("uneven.json", "{\"path\": [\"A/A_1.jpg\", \"A/A_2.jpg\"], \"id\": [\"A\"]}");
        e = assertThrows(IOException.class, () -> DevkitFiles.readFacescrubList(uneven));
        assertEquals(uneven + ": 2 paths but 1 ids", e.getMessage());

        Path number = file("number.json", "{\"path\": [\"A/A_1.jpg\", 7], \"id\": [\"A\", \"A\"]}");
        e = assertThrows(IOException.class, () -> DevkitFiles.readFacescrubList(number));
        assertEquals(number + ": \"path\"[1] is not a string: 7", e.getMessage());

        Path missing = dir.resolve("nope.json");
        e = assertThrows(NoSuchFileException.class, () -> DevkitFiles.readMegafaceList(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void noiseListsAsFaceXZooReadsThem() throws IOException {
        Path fs = file("facescrub_noises.txt", "# Noise images of FaceScrub\nAaron_Eckhart_221.jpg\n  Bea_3.jpg  \n\n#x.jpg\n");
        assertEquals(Set.of("Aaron_Eckhart_221.jpg", "Bea_3.jpg"), DevkitFiles.readFacescrubNoises(fs));

        // a '#' only counts at the very start of the line, as in FaceX-Zoo
        Path mf = file("megaface_noises.txt", "# header\n100/1@N00/a_0.jpg\n7\t200/2@N00/b_1.jpg\n  #\t300/3@N00/c.jpg\n");
        assertEquals(Set.of("100/1@N00/a_0.jpg", "200/2@N00/b_1.jpg", "300/3@N00/c.jpg"), DevkitFiles.readMegafaceNoises(mf));
    }

    @Test
    void swappedNoiseListsFailWithFileAndLine() throws IOException {
        Path mf = file("megaface_noises.txt", "# header\n100/1@N00/a_0.jpg\n");
        IOException e = assertThrows(IOException.class, () -> DevkitFiles.readFacescrubNoises(mf));
        assertEquals(mf + ":2: expected an image file name (FaceScrub noise list), found '100/1@N00/a_0.jpg'; "
                + "is this the MegaFace noise list?", e.getMessage());

        Path fs = file("facescrub_noises.txt", "#\n\nAaron_Eckhart_221.jpg\n");
        e = assertThrows(IOException.class, () -> DevkitFiles.readMegafaceNoises(fs));
        assertEquals(fs + ":3: expected a MegaFace image path id1/id2/name.jpg (MegaFace noise list), found "
                + "'Aaron_Eckhart_221.jpg'; is this the FaceScrub noise list?", e.getMessage());
    }

    @Test
    void imageListsAreLinesAndRefuseJson() throws IOException {
        Path list = file("img_list.txt", "facescrub_crop/A/A_1.jpg\n\n.\\megaface_crop\\1\\2\\x.jpg\n");
        assertEquals(List.of("facescrub_crop/A/A_1.jpg", "megaface_crop/1/2/x.jpg"), DevkitFiles.readImageList(list));

        Path json = file("list.json", "\n{\"path\": []}\n");
        IOException e = assertThrows(IOException.class, () -> DevkitFiles.readImageList(json));
        assertTrue(e.getMessage().startsWith(json + ":2: expected an image list"), e.getMessage());
    }

    @Test
    void writtenListsReadBack() throws IOException {
        List<String> paths = List.of("A/A_0001.jpg", "A/A_0002.jpg", "B/B_0001.jpg");
        List<String> ids = List.of("A", "A", "B");
        Path fs = dir.resolve("t/facescrub_features_list.json");
        SyntheticDevkit.writeFacescrubList(fs, paths, ids);
        assertEquals(new DevkitFiles.FacescrubList(paths, ids), DevkitFiles.readFacescrubList(fs));
        Path mf = dir.resolve("t/megaface_features_list.json_3_1");
        SyntheticDevkit.writeMegafaceList(mf, List.of("0/x/x.jpg", "0/y/y.jpg", "1/z/z.jpg"));
        assertEquals(List.of("0/x/x.jpg", "0/y/y.jpg", "1/z/z.jpg"), DevkitFiles.readMegafaceList(mf));
    }
}
