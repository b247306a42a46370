package io.facex.protocol.megaface;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The {@code MegaFace} section of FaceX-Zoo's {@code data_conf.yaml}, keys unchanged (the typo
 * {@code megaceface_list} and the hyphen in {@code megaface-mask} included), plus options of ours.
 * Both plugins bind it; relative paths resolve against the working directory, as in FaceX-Zoo.
 *
 * @param facescrubList          {@code facescrub_features_list.json}
 * @param megacefaceList         {@code megaface_features_list.json_<N>_1}
 * @param facescrubNoisesFile    FaceScrub noise list; empty: no noise handling for FaceScrub
 * @param megafaceNoisesFile     MegaFace noise list; empty: no noise handling for the distractors
 * @param croppedFaceFolder      the folder holding the FaceScrub and MegaFace crops
 * @param imageListFile          the images of that folder (relative paths); empty: every listed image
 * @param megafaceMask           1: evaluate MegaFace-Mask (as FaceX-Zoo does when its MegaFace section says so);
 *                               the MegaFace-Mask plugin requires 1
 * @param maskedCroppedFaceFolder the folder holding the masked FaceScrub crops
 * @param maskedImageListFile    its images; empty: every listed image
 * @param facescrubCropDir       ours: the sub-folder of cropped_face_folder the FaceScrub list's paths
 *                               are relative to (FaceX-Zoo's scripts: {@code facescrub_crop})
 * @param megafaceCropDir        ours: the same for the MegaFace list ({@code megaface_crop})
 * @param maskedFacescrubCropDir ours: the same in masked_cropped_face_folder ({@code masked_facescrub_crop})
 * @param maxRank                ours: ranks 1..max_rank are reported (FaceX-Zoo's --max_rank, 10)
 * @param distractorCounts       ours: the prefixes of the distractor list to report; empty: the devkit's
 *                               10, 100, ..., 1,000,000 up to the list's length, and the whole list
 * @param isConcat               FaceX-Zoo's --is_concat (0/1): every score halved
 * @param engine                 ours: {@code djl} (libtorch matrix products, faster) or {@code java}
 *                               (plain Java, bit-reproducible)
 * @param threads                ours: search threads; 0: one per processor
 * @param blockSize              ours: distractors per block of the search
 */
public record MegaFaceConfig(
        String facescrubList,
        String megacefaceList,
        String facescrubNoisesFile,
        String megafaceNoisesFile,
        String croppedFaceFolder,
        String imageListFile,
        @JsonProperty("megaface-mask") int megafaceMask,
        String maskedCroppedFaceFolder,
        String maskedImageListFile,
        String facescrubCropDir,
        String megafaceCropDir,
        String maskedFacescrubCropDir,
        int maxRank,
        List<Integer> distractorCounts,
        int isConcat,
        String engine,
        int threads,
        int blockSize) {

    /** Defaults: no files yet, FaceX-Zoo's folder names and max rank. */
    static MegaFaceConfig defaults(int megafaceMask) {
        return new MegaFaceConfig("", "", "", "", "", "", megafaceMask, "", "", "facescrub_crop", "megaface_crop",
                "masked_facescrub_crop", 10, List.of(), 0, "djl", 0, 512);
    }

    public MegaFaceConfig {
        distractorCounts = distractorCounts == null ? List.of() : List.copyOf(distractorCounts);
    }
}
