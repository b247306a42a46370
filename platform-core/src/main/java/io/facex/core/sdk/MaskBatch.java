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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * A landmark file, FaceX-Zoo's face-info form ({@code facescrub_face_info.txt}): per line an image path,
     * optionally other fields, and last the landmarks as {@code x1,y1,x2,y2,...}, five points (RetinaFace's
     * order) or PFLD's 106. Blank lines and lines starting with # are skipped.
     *
     * @return landmarks by path, in the file's order
     * @throws IOException naming the file and line of a malformed entry
     */
    public static Map<String, float[]> readLandmarks(Path file) throws IOException {
        Map<String, float[]> landmarks = new LinkedHashMap<>();
        for (Map.Entry<Integer, String> line : entries(file, "landmark file").entrySet()) {
            String l = line.getValue();
            String where = file + ":" + line.getKey() + ": ";
            String[] fields = l.split("\\s+");
            if (fields.length < 2) {
                throw new IOException(where + "expected 'path x1,y1,x2,y2,...', got '" + l + "'");
            }
            String[] values = fields[fields.length - 1].split(",");
            if (values.length != 10 && values.length != 212) {
                throw new IOException(where + values.length + " values; landmarks are 10 (five points) or 212 (106 points)");
            }
            float[] points = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                try {
                    points[i] = Float.parseFloat(values[i]);
                } catch (NumberFormatException e) {
                    throw new IOException(where + "value " + (i + 1) + " '" + values[i] + "' is not a number");
                }
                if (!Float.isFinite(points[i])) {
                    throw new IOException(where + "value " + (i + 1) + " is " + values[i]);
                }
            }
            if (landmarks.put(fields[0], points) != null) {
                throw new IOException(where + fields[0] + " is listed twice");
            }
        }
        return landmarks;
    }

    /**
     * FaceX-Zoo's template choice per image ({@code facescrub2template_name.txt}): per line an image path
     * and a template file name, {@code k.png}.
     */
    public static Map<String, Integer> readTemplateMap(Path file) throws IOException {
        Map<String, Integer> templates = new LinkedHashMap<>();
        for (Map.Entry<Integer, String> line : entries(file, "template map").entrySet()) {
            String l = line.getValue();
            String[] fields = l.split("\\s+");
            java.util.regex.Matcher m = TEMPLATE_FILE.matcher(fields.length == 2 ? fields[1] : "");
            if (!m.matches()) {
                throw new IOException(file + ":" + line.getKey() + ": expected 'path k.png' (k the template's number), got '" + l + "'");
            }
            templates.put(fields[0], Integer.parseInt(m.group(1)));
        }
        return templates;
    }

    private static final java.util.regex.Pattern TEMPLATE_FILE = java.util.regex.Pattern.compile("(\\d+)(\\.png)?");

    /** A list file's lines by 1-based number, stripped, without blank lines and # comments. */
    private static Map<Integer, String> entries(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such " + what);
        }
        Map<Integer, String> entries = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int n = 0; n < lines.size(); n++) {
            String l = lines.get(n).strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                entries.put(n + 1, l);
            }
        }
        return entries;
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

    /**
     * @param landmarks each image's landmarks by its path ({@link #readLandmarks}), or null to detect the
     *                  most confident face; an image the map leaves out is skipped
     * @param templates each image's template by its path ({@link #readTemplateMap}), or null; an image it
     *                  leaves out takes {@code template}
     */
    public static Result run(FaceSdk sdk, Path in, Path out, List<Item> items, Map<String, float[]> landmarks,
                             Map<String, Integer> templates, int template, long seed, int workers, PrintStream console,
                             boolean interactive) throws Exception {
        boolean[] masked = new boolean[items.size()];
        PhotoBatch.Outcome r = PhotoBatch.run("addmask", items.stream().map(Item::path).toList(), workers, console, interactive,
                (index, rel) -> {
                    int t = templates == null ? template : templates.getOrDefault(rel, template);
                    String reason = maskOne(sdk, in, out, rel, landmarks, t, imageSeed(seed, rel));
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
    private static String maskOne(FaceSdk sdk, Path in, Path out, String rel, Map<String, float[]> landmarks, int template,
                                  long seed) {
        try {
            float[] points = landmarks == null ? null : landmarks.get(rel);
            if (landmarks != null && points == null) {
                return "not in the landmark file";
            }
            Photo photo = sdk.read(in.resolve(rel));
            if (photo.scale() != 1) {
                return "larger than " + io.facex.data.ImageHeader.MAX_PIXELS_OPTION + " (would be written at 1/" + photo.scale() + " size)";
            }
            FaceImage image = photo.image();
            FaceImage masked;
            if (points != null) {
                masked = sdk.addMask(image, points, template, seed).image();
            } else {
                List<DetectedFace> faces = sdk.detect(image);
                if (faces.isEmpty()) {
                    return "no face";
                }
                masked = sdk.addMask(image, faces.get(0), template, seed).image();
            }
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
