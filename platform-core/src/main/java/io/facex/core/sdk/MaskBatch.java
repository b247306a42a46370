package io.facex.core.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facex.api.FaceImage;
import io.facex.api.sdk.DetectedFace;
import io.facex.api.sdk.MaskNotFittedException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A masked copy of a data set (folder, FaceX-Zoo training list, MegaFace's FaceScrub JSON list): the most
 * confident face of every image gets a mask, written under the same relative path. Each image's random
 * choices come from the seed and its path alone, so the result does not depend on the thread schedule.
 * Images without a face, where the mask does not fit, or that cannot be read are skipped and reported.
 */
public final class MaskBatch {

    /** The report of skipped images, written into the output folder. */
    public static final String REPORT = "addmask_report.txt";

    /**
     * One image of the batch.
     *
     * @param path relative to the input root, and to the output folder
     * @param line its line of a training list (written to the output list when masked), or null
     */
    public record Item(String path, String line) {
    }

    /**
     * What {@link #run} did: images written, skipped ones as "path TAB reason", the list lines of the
     * masked images in the input's order (the masked data set's training list), speed.
     */
    public record Result(int written, List<String> skipped, List<String> lines, double imagesPerSecond) {
    }

    private MaskBatch() {
    }

    /** The seed of one image: the batch's seed and the image's path, whatever order the workers take them in. */
    public static long imageSeed(long seed, String path) {
        return seed * 0x9E3779B97F4A7C15L + path.hashCode();
    }

    /** Every line of a FaceX-Zoo training list ("path label ..."): the path, and the line to copy. */
    public static List<Item> readTrainingList(Path list) throws IOException {
        List<Item> items = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            String l = line.strip();
            if (!l.isEmpty()) {
                items.add(new Item(l.split("\\s+")[0], l));
            }
        }
        return items;
    }

    /** The MegaFace devkit's {@code facescrub_features_list.json}: {"path": [...], "id": [...]}. */
    public static List<Item> readFaceScrubList(Path json) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(json + ": not a JSON list (" + e.getOriginalMessage() + ")", e);
        }
        JsonNode paths = root == null ? null : root.get("path");
        if (paths == null || !paths.isArray()) {
            throw new IOException(json + ": no \"path\" array (expected the devkit's facescrub_features_list.json)");
        }
        List<Item> items = new ArrayList<>();
        paths.forEach(p -> items.add(new Item(p.asText(), null)));
        return items;
    }

    public static Result run(FaceSdk sdk, Path in, Path out, List<Item> items, int template, long seed, int workers,
                             PrintStream console, boolean interactive) throws Exception {
        boolean[] masked = new boolean[items.size()];
        PhotoBatch.Outcome r = PhotoBatch.run("addmask", items.stream().map(Item::path).toList(), workers, console, interactive,
                (index, rel) -> {
                    String reason = maskOne(sdk, in, out, rel, template, imageSeed(seed, rel));
                    masked[index] = reason == null;
                    return reason;
                });
        Files.createDirectories(out);
        List<String> report = new ArrayList<>(r.skipped());
        report.add(0, "# " + r.done() + " of " + items.size() + " images masked; skipped (path TAB reason): " + r.skipped().size());
        Files.write(out.resolve(REPORT), report);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (masked[i] && items.get(i).line() != null) {
                lines.add(items.get(i).line());
            }
        }
        return new Result(r.done(), r.skipped(), lines, r.imagesPerSecond());
    }

    /** Masks one image; null when written, else why not. Errors of the set-up (a bad template) end the batch. */
    private static String maskOne(FaceSdk sdk, Path in, Path out, String rel, int template, long seed) {
        try {
            Photo photo = sdk.read(in.resolve(rel));
            if (photo.scale() != 1) {
                return "larger than " + io.facex.data.ImageHeader.MAX_PIXELS_OPTION + " (would be written at 1/" + photo.scale() + " size)";
            }
            FaceImage image = photo.image();
            List<DetectedFace> faces = sdk.detect(image);
            if (faces.isEmpty()) {
                return "no face";
            }
            FaceImage masked = sdk.addMask(image, faces.get(0), template, seed).image();
            Path file = out.resolve(rel);
            Files.createDirectories(file.toAbsolutePath().getParent());
            SdkCommands.write(masked, file);
            return null;
        } catch (MaskNotFittedException e) {
            return "mask not fitted: " + e.getMessage();
        } catch (IOException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            throw new IllegalStateException(rel + ": " + e.getMessage(), e);
        }
    }
}
