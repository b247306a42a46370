package io.facex.core.train;

import io.facex.api.InvalidConfigException;

/**
 * The job-level options of {@code facex:train}: FaceX-Zoo's train.py names, except those the training
 * mode owns (lr, epoches, step, ...), which are bound to the mode's own configuration.
 *
 * @param dataRoot         folder the training list's paths are relative to
 * @param trainFile        the training list ({@code path label} per line)
 * @param backboneType     backbone plugin name
 * @param backboneConfFile YAML/JSON with a section for the backbone ("" = its defaults)
 * @param headType         head plugin name
 * @param headConfFile     YAML/JSON with a section for the head ("" = its defaults; num_class follows the data)
 * @param outDir           checkpoints, log, CSV and plot go here
 * @param pretrainModel    with {@code resume}: the checkpoint to resume from ("" = the newest in out_dir);
 *                         without: weights to start from (FaceX-Zoo .pt, our checkpoint, a state dict)
 * @param resume           continue an interrupted job exactly
 * @param mode             training mode plugin name
 * @param workers          image decoding threads
 * @param skipBadImages    skip unreadable images, naming each in skipped.txt, instead of stopping at the first one
 * @param maxImagePixels   the largest width x height an image header may claim; larger images are refused unread
 * @param skipListCheck    do not check up front that every listed image exists (for lists on slow storage)
 * @param sampleRate       Partial FC: the share of classes each step scores (the batch's own always among
 *                         them); 1 scores all, as FaceX-Zoo does. For class counts whose full matrix would
 *                         not fit in memory (100,000 identities and up)
 * @param cropEye          FaceX-Zoo's {@code crop_eye}: train on the upper half of each face (rows 0-59 of the
 *                         aligned 112x112 face), the masked-face recipe; needs a backbone taking 60x112 faces
 *                         (MobileFaceNet {@code out_h: 4}). Recorded in every checkpoint, so evaluation crops alike
 */
public record TrainJob(String dataRoot, String trainFile, String backboneType, String backboneConfFile,
                       String headType, String headConfFile, String outDir, String pretrainModel, boolean resume,
                       String mode, int workers, boolean skipBadImages, long maxImagePixels, boolean skipListCheck,
                       double sampleRate, boolean cropEye) {

    /** What train.py would use when nothing is said, with our default mode and 2 loader threads. */
    public static TrainJob defaults() {
        return new TrainJob("", "", "MobileFaceNet", "", "MV-Softmax", "", "out", "", false, "conventional", 2, false,
                io.facex.data.ImageHeader.DEFAULT_MAX_PIXELS, false, 1.0, false);
    }

    void validate() {
        if (dataRoot.isEmpty()) {
            throw new InvalidConfigException("data_root", "is required: the folder the training list's paths are relative to");
        }
        if (trainFile.isEmpty()) {
            throw new InvalidConfigException("train_file", "is required: the training list (relative/path.jpg label per line)");
        }
        if (maxImagePixels < 1) {
            throw new InvalidConfigException("max_image_pixels", "must be positive, got " + maxImagePixels);
        }
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw new InvalidConfigException("sample_rate", "must be in (0, 1] (1 scores every class), got " + sampleRate);
        }
        if (workers < 1) {
            throw new InvalidConfigException("workers", "must be at least 1, got " + workers);
        }
    }
}
