package io.facex.core.sdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facex.api.FaceImage;
import io.facex.api.sdk.DetectedFace;
import io.facex.core.registry.PluginRegistry;
import io.facex.data.ImageHeader;
import io.facex.data.ImageOps;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** The face SDK's shell commands: detect, crop, compare, align, addmask. */
public final class SdkCommands {

    public static final String[] FUNCTIONS = {"detect", "crop", "compare", "align", "addmask"};

    private final PluginRegistry registry;

    public SdkCommands(PluginRegistry registry) {
        this.registry = registry;
    }

    private FaceSdk sdk(double confidence, String pfld, String weights, String backbone, double threshold, long maxPixels)
            throws IOException {
        FaceSdk.Builder b = FaceSdk.builder().registry(registry).maxPixels(maxPixels);
        if (confidence >= 0) {
            b.detector("RetinaFace", Map.of("confidence_threshold", confidence));
        }
        if (!pfld.isEmpty()) {
            b.landmarks("PFLD", Map.of("model_path", pfld));
        }
        if (!weights.isEmpty()) {
            b.recognizer(Path.of(weights));
        }
        if (!backbone.isEmpty()) {
            b.backbone(backbone);
        }
        if (threshold > -2) {
            b.threshold(threshold);
        }
        return b.build();
    }

    @Descriptor("Detect faces in a photo: JSON on standard output with each face's box [x1, y1, x2, y2], score and "
            + "five landmarks, in the photo's pixels")
    public void detect(
            @Descriptor("also draw the boxes and landmarks into this PNG") @Parameter(names = {"--annotate"}, absentValue = "") String annotate,
            @Descriptor("RetinaFace's confidence threshold (default 0.7; FaceX-Zoo's mask scene uses 0.4)") @Parameter(names = {"--confidence"}, absentValue = "-1") double confidence,
            @Descriptor("photos above this many pixels are decoded at 1/2, 1/4 or 1/8 size (JPEG) or refused") @Parameter(names = {ImageHeader.MAX_PIXELS_OPTION}, absentValue = ImageHeader.DEFAULT_MAX_PIXELS_TEXT) long maxPixels,
            @Descriptor("the photo") String image) throws Exception {
        try (FaceSdk sdk = sdk(confidence, "", "", "", -3, maxPixels)) {
            Photo photo = sdk.read(Path.of(image));
            List<DetectedFace> faces = sdk.detect(photo.image());
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = json.createObjectNode();
            root.put("image", image);
            root.put("width", photo.image().width() * photo.scale());
            root.put("height", photo.image().height() * photo.scale());
            if (photo.scale() != 1) {
                root.put("decoded_at", "1/" + photo.scale());
            }
            ArrayNode list = root.putArray("faces");
            for (DetectedFace f : faces) {
                ObjectNode o = list.addObject();
                ArrayNode box = o.putArray("box");
                for (float v : new float[] {f.x1(), f.y1(), f.x2(), f.y2()}) {
                    box.add(round(v * photo.scale()));
                }
                o.put("score", Math.round(f.score() * 1e6) / 1e6);
                ArrayNode marks = o.putArray("landmarks");
                for (int i = 0; i + 1 < f.landmarks().length; i += 2) {
                    marks.addArray().add(round(f.landmarks()[i] * photo.scale())).add(round(f.landmarks()[i + 1] * photo.scale()));
                }
            }
            System.out.println(json.writeValueAsString(root));
            if (!annotate.isEmpty()) {
                annotate(photo.image(), faces, Path.of(annotate));
                System.err.println("annotated " + faces.size() + " face(s) -> " + annotate);
            }
        }
    }

    @Descriptor("Crop each face of a photo to the 112x112 recognition input (ArcFace template), as PNG files")
    public void crop(
            @Descriptor("folder for the crops (default: beside the photo)") @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
            @Descriptor("PFLD weights for 106-point landmarks (default: RetinaFace's five points)") @Parameter(names = {"--pfld"}, absentValue = "") String pfld,
            @Descriptor("RetinaFace's confidence threshold (default 0.7)") @Parameter(names = {"--confidence"}, absentValue = "-1") double confidence,
            @Descriptor("the photo") String image) throws Exception {
        Path src = Path.of(image);
        Path dir = out.isEmpty() ? (src.toAbsolutePath().getParent()) : Files.createDirectories(Path.of(out));
        try (FaceSdk sdk = sdk(confidence, pfld, "", "", -3, ImageHeader.DEFAULT_MAX_PIXELS)) {
            FaceImage photo = sdk.read(src).image();
            List<DetectedFace> faces = sdk.detect(photo);
            String stem = src.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            for (int i = 0; i < faces.size(); i++) {
                Path file = dir.resolve(stem + "_face" + i + ".png");
                write(sdk.align(photo, faces.get(i)), file);
                System.out.printf(Locale.ROOT, "face %d (score %.4f) -> %s%n", i, faces.get(i).score(), file);
            }
            if (faces.isEmpty()) {
                System.out.println("no face found in " + image);
            }
        }
    }

    @Descriptor("Compare the most confident face of two photos: cosine similarity and same/different at a threshold")
    public void compare(
            @Descriptor("recognition model: our checkpoint, or FaceX-Zoo .pt/.pkl with -b") @Parameter(names = {"-w", "--weights"}, absentValue = "") String weights,
            @Descriptor("backbone of weights that do not name it") @Parameter(names = {"-b", "--backbone"}, absentValue = "") String backbone,
            @Descriptor("same person at and above this similarity (default 0.5; facex eval reports a model's LFW threshold)") @Parameter(names = {"-t", "--threshold"}, absentValue = "-3") double threshold,
            @Descriptor("PFLD weights for 106-point landmarks (default: RetinaFace's five points)") @Parameter(names = {"--pfld"}, absentValue = "") String pfld,
            @Descriptor("first photo") String first,
            @Descriptor("second photo") String second) throws Exception {
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("compare needs a recognition model: -w CHECKPOINT (see 'help compare')");
        }
        try (FaceSdk sdk = sdk(-1, pfld, weights, backbone, threshold, ImageHeader.DEFAULT_MAX_PIXELS)) {
            float[] a = feature(sdk, Path.of(first));
            float[] b = feature(sdk, Path.of(second));
            double s = sdk.compare(a, b);
            System.out.printf(Locale.ROOT, "similarity %.4f: %s (threshold %.2f, %s)%n", s,
                    sdk.same(s) ? "same person" : "different people", sdk.threshold(), sdk.describe().get("recognizer"));
        }
    }

    private static float[] feature(FaceSdk sdk, Path photo) throws IOException {
        FaceImage image = sdk.read(photo).image();
        List<DetectedFace> faces = sdk.detect(image);
        if (faces.isEmpty()) {
            throw new IllegalArgumentException(photo + ": no face found");
        }
        return sdk.embed(sdk.align(image, faces.get(0)));
    }

    @Descriptor("Turn raw benchmark photos into aligned 112x112 crops for facex eval: the most confident face of each "
            + "image, the same relative paths under OUT; images without a face are listed in OUT/no_face.txt")
    public void align(
            @Descriptor("folder of the aligned crops (required)") @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
            @Descriptor("a text list of image paths relative to the folder (default: every image under it)") @Parameter(names = {"-l", "--list"}, absentValue = "") String list,
            @Descriptor("PFLD weights for 106-point landmarks (default: RetinaFace's five points)") @Parameter(names = {"--pfld"}, absentValue = "") String pfld,
            @Descriptor("RetinaFace's confidence threshold (default 0.7)") @Parameter(names = {"--confidence"}, absentValue = "-1") double confidence,
            @Descriptor("worker threads (default 2)") @Parameter(names = {"--workers"}, absentValue = "2") int workers,
            @Descriptor("the folder of raw photos") String root) throws Exception {
        if (out.isEmpty()) {
            throw new IllegalArgumentException("align needs --out FOLDER (see 'help align')");
        }
        Path in = Path.of(root);
        Path dst = Path.of(out);
        List<String> images = list.isEmpty() ? imagesUnder(in) : readList(Path.of(list));
        if (images.isEmpty()) {
            throw new IllegalArgumentException(root + ": no images found");
        }
        try (FaceSdk sdk = sdk(confidence, pfld, "", "", -3, ImageHeader.DEFAULT_MAX_PIXELS)) {
            Aligned r = alignAll(sdk, in, dst, images, Math.max(1, workers), System.out, System.console() != null);
            System.out.printf(Locale.ROOT, "%d of %d images aligned -> %s (%.1f images/s)%s%n", r.aligned(), images.size(), dst,
                    r.imagesPerSecond(), r.missed().isEmpty() ? "" : "; " + r.missed().size() + " without a face or unreadable: "
                            + dst.resolve("no_face.txt"));
        }
    }

    /** What {@link #alignAll} did. */
    public record Aligned(int aligned, List<String> missed, double imagesPerSecond) {
    }

    /** Aligns every image on {@code workers} threads; an image without a face, or unreadable, is reported, not fatal. */
    public static Aligned alignAll(FaceSdk sdk, Path in, Path dst, List<String> images, int workers, PrintStream console,
                                   boolean interactive) throws Exception {
        PhotoBatch.Outcome r = PhotoBatch.run("align", images, workers, console, interactive, (index, rel) -> {
            try {
                FaceImage photo = sdk.read(in.resolve(rel)).image();
                List<DetectedFace> faces = sdk.detect(photo);
                if (faces.isEmpty()) {
                    return "no face";
                }
                Path file = dst.resolve(rel);
                Files.createDirectories(file.toAbsolutePath().getParent());
                write(sdk.align(photo, faces.get(0)), file);
                return null;
            } catch (IOException | RuntimeException e) {
                return e.getMessage();
            }
        });
        if (!r.skipped().isEmpty()) {
            Files.createDirectories(dst);
            Files.write(dst.resolve("no_face.txt"), r.skipped());
        }
        return new Aligned(r.done(), r.skipped(), r.imagesPerSecond());
    }

    @Descriptor("Put synthetic face masks on photos (FaceX-Zoo's FMA-3D templates along the landmarks): one photo (every "
            + "face), a folder, a training list (--list with --data_root) or MegaFace's FaceScrub probes (--facescrub_list with "
            + "--data_root), written under OUT with the same relative paths; images skipped are listed in OUT/addmask_report.txt")
    public void addmask(
            @Descriptor("output folder (required)") @Parameter(names = {"-o", "--output"}, absentValue = "") String output,
            @Descriptor("a FaceX-Zoo training list (path label per line) relative to --data_root; OUT gets the same list of the masked images") @Parameter(names = {"-l", "--list"}, absentValue = "") String list,
            @Descriptor("MegaFace devkit's facescrub_features_list.json: its paths, relative to --data_root, are the probes") @Parameter(names = {"--facescrub_list"}, absentValue = "") String facescrubList,
            @Descriptor("the folder the list's paths are relative to") @Parameter(names = {"--data_root"}, absentValue = "") String dataRoot,
            @Descriptor("mask template 0-7 (default -1: drawn per image from the seed)") @Parameter(names = {"--template"}, absentValue = "-1") int template,
            @Descriptor("seed of the per-image template and colour draws (default 0)") @Parameter(names = {"--seed"}, absentValue = "0") long seed,
            @Descriptor("scale each colour channel of the mask by up to +-J (default: FMA-3D's color_jitter, 0)") @Parameter(names = {"--color_jitter"}, absentValue = "-1") double colorJitter,
            @Descriptor("a folder of templates 0.png, 1.png, ... (256x256 RGBA in PRNet's UV space) instead of the bundled ones") @Parameter(names = {"--template_dir"}, absentValue = "") String templateDir,
            @Descriptor("PFLD weights for 106-point landmarks (default: RetinaFace's five points)") @Parameter(names = {"--pfld"}, absentValue = "") String pfld,
            @Descriptor("PRNet weights: FMA-3D's 3-D UV path instead of the 2-D mesh (FMA-3D's prnet_path)") @Parameter(names = {"--prnet"}, absentValue = "") String prnet,
            @Descriptor("RetinaFace's confidence threshold (default 0.7)") @Parameter(names = {"--confidence"}, absentValue = "-1") double confidence,
            @Descriptor("worker threads (default 2)") @Parameter(names = {"--workers"}, absentValue = "2") int workers,
            @Descriptor("landmarks to place the masks along instead of detecting faces: FaceX-Zoo's face-info file, per line "
                    + "'path [...] x1,y1,x2,y2,...' (5 or 106 points), paths as in the list or folder") @Parameter(names = {"--landmarks"}, absentValue = "") String landmarkFile,
            @Descriptor("each image's template: FaceX-Zoo's facescrub2template_name.txt, per line 'path k.png'; images it "
                    + "does not name take --template") @Parameter(names = {"--template_map"}, absentValue = "") String templateMap,
            @Descriptor("a photo or a folder of photos (none with --list or --facescrub_list)") String... inputs) throws Exception {
        if (output.isEmpty()) {
            throw new IllegalArgumentException("addmask needs --output FOLDER (see 'help addmask')");
        }
        if (template < -1) {
            throw new IllegalArgumentException("--template is a template number (0-7 bundled) or -1 (drawn per image), got " + template);
        }
        boolean fromList = !list.isEmpty() || !facescrubList.isEmpty();
        if (fromList ? inputs.length != 0 || dataRoot.isEmpty() || (!list.isEmpty() && !facescrubList.isEmpty()) : inputs.length != 1) {
            throw new IllegalArgumentException("addmask takes one photo or folder, or --list (or --facescrub_list) with --data_root "
                    + "(see 'help addmask')");
        }
        Map<String, Object> options = new java.util.HashMap<>();
        if (colorJitter >= 0) {
            options.put("color_jitter", colorJitter);
        }
        if (!templateDir.isEmpty()) {
            options.put("template_dir", templateDir);
        }
        if (!prnet.isEmpty()) {
            options.put("prnet_path", prnet);
        }
        Map<String, float[]> landmarks = landmarkFile.isEmpty() ? null : MaskBatch.readLandmarks(Path.of(landmarkFile));
        Map<String, Integer> templates = templateMap.isEmpty() ? null : MaskBatch.readTemplateMap(Path.of(templateMap));
        Path dst = Files.createDirectories(Path.of(output));
        try (FaceSdk sdk = maskingSdk(confidence, pfld, options)) {
            Path in;
            List<MaskBatch.Item> items;
            if (fromList) {
                in = Path.of(dataRoot);
                items = list.isEmpty() ? MaskBatch.readFaceScrubList(Path.of(facescrubList)) : MaskBatch.readTrainingList(Path.of(list));
            } else if (Files.isDirectory(Path.of(inputs[0]))) {
                in = Path.of(inputs[0]);
                items = imagesUnder(in).stream().map(p -> new MaskBatch.Item(p, null)).toList();
            } else {
                maskPhoto(sdk, Path.of(inputs[0]), dst, landmarks, landmarkFile, template, seed);
                return;
            }
            if (in.toAbsolutePath().normalize().equals(dst.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException(output + ": the output folder is the input folder; the originals would be overwritten");
            }
            if (items.isEmpty()) {
                throw new IllegalArgumentException((fromList ? (list.isEmpty() ? facescrubList : list) : inputs[0]) + ": no images");
            }
            MaskBatch.Result r = MaskBatch.run(sdk, in, dst, items, landmarks, templates, template, seed, workers, System.out,
                    System.console() != null);
            if (!list.isEmpty()) {
                Files.write(dst.resolve(Path.of(list).getFileName()), r.lines());
            }
            System.out.printf(Locale.ROOT, "%d of %d images masked -> %s (%.1f images/s); %d skipped, listed in %s%n", r.written(),
                    items.size(), dst, r.imagesPerSecond(), r.skipped().size(), dst.resolve(MaskBatch.REPORT));
        }
    }

    private FaceSdk maskingSdk(double confidence, String pfld, Map<String, Object> maskOptions) throws IOException {
        FaceSdk.Builder b = FaceSdk.builder().registry(registry).masker("FMA-3D", maskOptions);
        if (confidence >= 0) {
            b.detector("RetinaFace", Map.of("confidence_threshold", confidence));
        }
        if (!pfld.isEmpty()) {
            b.landmarks("PFLD", Map.of("model_path", pfld));
        }
        return b.build();
    }

    /** One photo: every face that takes a mask gets one (face i with the seed's i-th draw), written as OUT/name. */
    private static void maskPhoto(FaceSdk sdk, Path src, Path dst, Map<String, float[]> landmarks, String landmarkFile,
                                  int template, long seed) throws IOException {
        FaceImage image = sdk.read(src).image();
        Path file = dst.resolve(src.getFileName());
        if (file.toAbsolutePath().normalize().equals(src.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(file + ": the output would overwrite the photo; choose another --output");
        }
        if (landmarks != null) {
            float[] points = landmarks.getOrDefault(src.toString(), landmarks.get(src.getFileName().toString()));
            if (points == null) {
                throw new IllegalArgumentException(landmarkFile + ": no line for " + src + " (nor for " + src.getFileName() + ")");
            }
            try {
                io.facex.api.sdk.MaskedFace m = sdk.addMask(image, points, template, MaskBatch.imageSeed(seed, "0"));
                write(m.image(), file);
                System.out.println("template " + m.template() + ", along the given landmarks -> " + file);
                return;
            } catch (io.facex.api.sdk.MaskNotFittedException e) {
                throw new IllegalArgumentException(src + ": the mask does not fit: " + e.getMessage(), e);
            }
        }
        List<DetectedFace> faces = sdk.detect(image);
        if (faces.isEmpty()) {
            throw new IllegalArgumentException(src + ": no face found");
        }
        int masked = 0;
        for (int i = 0; i < faces.size(); i++) {
            try {
                io.facex.api.sdk.MaskedFace m = sdk.addMask(image, faces.get(i), template, MaskBatch.imageSeed(seed, String.valueOf(i)));
                image = m.image();
                masked++;
                System.out.printf(Locale.ROOT, "face %d (score %.4f): template %d%n", i, faces.get(i).score(), m.template());
            } catch (io.facex.api.sdk.MaskNotFittedException e) {
                System.out.printf(Locale.ROOT, "face %d (score %.4f): skipped, %s%n", i, faces.get(i).score(), e.getMessage());
            }
        }
        if (masked == 0) {
            throw new IllegalArgumentException(src + ": no face takes a mask");
        }
        write(image, file);
        System.out.println(masked + " of " + faces.size() + " face(s) masked -> " + file);
    }

    private static List<String> imagesUnder(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new java.nio.file.NoSuchFileException(root.toString(), null, "not a folder");
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png|bmp)"))
                    .map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static List<String> readList(Path list) throws IOException {
        return Files.readAllLines(list).stream().map(String::strip).filter(l -> !l.isEmpty())
                .map(l -> l.split("\\s+")[0]).toList();
    }

    /** Writes a crop; the format follows the file's extension (PNG keeps the pixels exact). */
    static void write(FaceImage image, Path file) throws IOException {
        try (Mat m = ImageOps.fromHwc(image.pixels(), image.height(), image.width(), image.channels())) {
            if (!opencv_imgcodecs.imwrite(file.toString(), m)) {
                throw new IOException(file + ": cannot write the image (unknown extension or no permission)");
            }
        }
    }

    private static void annotate(FaceImage image, List<DetectedFace> faces, Path file) throws IOException {
        try (Mat m = ImageOps.fromHwc(image.pixels(), image.height(), image.width(), image.channels());
             Scalar green = new Scalar(0, 255, 0, 0); Scalar red = new Scalar(0, 0, 255, 0)) {
            int thick = Math.max(1, Math.max(image.width(), image.height()) / 400);
            for (DetectedFace f : faces) {
                try (Rect r = new Rect(Math.round(f.x1()), Math.round(f.y1()), Math.round(f.x2() - f.x1()), Math.round(f.y2() - f.y1()))) {
                    opencv_imgproc.rectangle(m, r, green, thick, opencv_imgproc.LINE_AA, 0);
                }
                for (int i = 0; i + 1 < f.landmarks().length; i += 2) {
                    try (Point p = new Point(Math.round(f.landmarks()[i]), Math.round(f.landmarks()[i + 1]))) {
                        opencv_imgproc.circle(m, p, 2 * thick, red, -1, opencv_imgproc.LINE_AA, 0);
                    }
                }
            }
            if (!opencv_imgcodecs.imwrite(file.toString(), m)) {
                throw new IOException(file + ": cannot write the image");
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
