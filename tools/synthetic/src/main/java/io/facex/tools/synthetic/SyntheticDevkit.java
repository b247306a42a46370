package io.facex.tools.synthetic;

import io.facex.tools.synthetic.SyntheticFaces;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A MegaFace devkit over synthetic identities, so the protocol runs end to end without the real data
 * set. Deterministic for a seed. Layout (FaceX-Zoo's names):
 *
 * <pre>
 * out/devkit/templatelists/facescrub_features_list.json        {"path": [Synth_10000/Synth_10000_0001.jpg, ...], "id": [...]}
 * out/devkit/templatelists/megaface_features_list.json_&lt;N&gt;_1   {"path": [000/Synth_20000/Synth_20000_0001.jpg, ...]}
 * out/devkit/scripts/facescrub_noises.txt, megaface_noises.txt
 * out/face_crop/facescrub_crop/...  out/face_crop/megaface_crop/...  out/face_crop/masked_facescrub_crop/...
 * out/face_crop/img_list.txt, masked_img_list.txt                  relative to out/face_crop
 * out/face_crop/facescrub_landmarks.txt                             five landmarks per probe, relative to facescrub_crop
 * out/data_conf.yaml                                               a MegaFace section naming all of it
 * </pre>
 *
 * With {@code images(false)} only the lists are written (the paths are the same); features then come
 * from elsewhere, e.g. a test's own vectors. Images are rendered by {@link SyntheticFaces#render}. The
 * masked probes are, by default, the same renderings with the lower face under a flat mask-coloured
 * shape; with {@code standInMasks(false)} they are left for {@code facex addmask --landmarks} to paint
 * with FMA-3D from {@code facescrub_landmarks.txt}.
 */
public final class SyntheticDevkit {

    /** What was written. */
    public record Result(Path root, Path facescrubList, Path megafaceList, Path facescrubNoises, Path megafaceNoises,
            Path croppedFaceFolder, Path imageList, Path maskedImageList, Path dataConf, List<String> facescrubPaths,
            List<String> facescrubIds, List<String> megafacePaths, Set<String> facescrubNoiseNames,
            Set<String> megafaceNoisePaths, Path facescrubLandmarks) {
    }

    public static final String FACESCRUB_LANDMARKS = "facescrub_landmarks.txt";

    /** FaceX-Zoo's folder names under the cropped-face folder (the protocol's defaults). */
    public static final String FACESCRUB_CROP = "facescrub_crop";
    public static final String MEGAFACE_CROP = "megaface_crop";
    public static final String MASKED_FACESCRUB_CROP = "masked_facescrub_crop";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Synthetic identity numbers start here, far from the training identities of {@link SyntheticFaces}. */
    static final int FACESCRUB_BASE = 100_000;
    static final int MEGAFACE_BASE = 200_000;

    private final Path out;
    private int identities = 10;
    private int imagesPerIdentity = 5;
    private int distractors = 200;
    private int facescrubNoises = 2;
    private int megafaceNoises = 3;
    private boolean images = true;
    private boolean standInMasks = true;
    private long seed = 1;
    private double nuisance = 1.0;

    private SyntheticDevkit(Path out) {
        this.out = out;
    }

    public static SyntheticDevkit builder(Path out) {
        return new SyntheticDevkit(out);
    }

    /** FaceScrub-like probe identities. */
    public SyntheticDevkit identities(int n) {
        identities = positive("identities", n);
        return this;
    }

    public SyntheticDevkit imagesPerIdentity(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("imagesPerIdentity: a probe needs another image of its identity, got " + n);
        }
        imagesPerIdentity = n;
        return this;
    }

    /** Distractor images, one synthetic identity each. */
    public SyntheticDevkit distractors(int n) {
        distractors = positive("distractors", n);
        return this;
    }

    /** How many FaceScrub images and distractors the noise lists name. */
    public SyntheticDevkit noises(int facescrub, int megaface) {
        if (facescrub < 0 || megaface < 0) {
            throw new IllegalArgumentException("noise counts must not be negative");
        }
        facescrubNoises = facescrub;
        megafaceNoises = megaface;
        return this;
    }

    /** Whether to render the images (else only the lists). */
    public SyntheticDevkit images(boolean render) {
        images = render;
        return this;
    }

    /** Whether to draw the flat stand-in masks on the masked probes (else they are not written). */
    public SyntheticDevkit standInMasks(boolean draw) {
        standInMasks = draw;
        return this;
    }

    public SyntheticDevkit seed(long s) {
        seed = s;
        return this;
    }

    /** Pose, lighting, blur, occlusion strength, as {@link SyntheticFaces}. */
    public SyntheticDevkit nuisance(double n) {
        nuisance = n;
        return this;
    }

    private static int positive(String what, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be positive, got " + n);
        }
        return n;
    }

    public Result write() throws IOException {
        Path templates = out.resolve("devkit/templatelists");
        Path scripts = out.resolve("devkit/scripts");
        Path crops = out.resolve("face_crop");

        List<String> fsPaths = new ArrayList<>();
        List<String> fsIds = new ArrayList<>();
        for (int i = 0; i < identities; i++) {
            String name = SyntheticFaces.testName(FACESCRUB_BASE + i);
            for (int k = 1; k <= imagesPerIdentity; k++) {
                fsPaths.add(String.format(Locale.ROOT, "%s/%s_%04d.jpg", name, name, k));
                fsIds.add(name);
            }
        }
        List<String> mfPaths = new ArrayList<>();
        for (int i = 0; i < distractors; i++) {
            // MegaFace's id1/id2/name.jpg: a group folder, then the (Flickr) identity folder
            String name = SyntheticFaces.testName(MEGAFACE_BASE + i);
            mfPaths.add(String.format(Locale.ROOT, "%03d/%s/%s_0001.jpg", i / 100, name, name));
        }

        SplittableRandom r = new SplittableRandom(seed);
        Set<String> fsNoise = new LinkedHashSet<>();
        // never every image of an identity: FaceX-Zoo needs a clean one for the centre
        while (fsNoise.size() < Math.min(facescrubNoises, identities * (imagesPerIdentity - 1))) {
            int i = r.nextInt(identities);
            int k = 2 + r.nextInt(imagesPerIdentity - 1);
            String path = fsPaths.get(i * imagesPerIdentity + k - 1);
            fsNoise.add(path.substring(path.lastIndexOf('/') + 1)); // FaceScrub's noise list names files

        }
        Set<String> mfNoise = new LinkedHashSet<>();
        while (mfNoise.size() < Math.min(megafaceNoises, distractors)) {
            mfNoise.add(mfPaths.get(r.nextInt(distractors)));
        }

        Path fsList = templates.resolve("facescrub_features_list.json");
        Path mfList = templates.resolve("megaface_features_list.json_" + distractors + "_1");
        writeFacescrubList(fsList, fsPaths, fsIds);
        writeMegafaceList(mfList, mfPaths);
        Path fsNoiseFile = scripts.resolve("facescrub_noises.txt");
        Path mfNoiseFile = scripts.resolve("megaface_noises.txt");
        writeLines(fsNoiseFile, "synthetic FaceScrub noise list: image file names", fsNoise);
        List<String> mfLines = new ArrayList<>();
        int n = 0;
        for (String p : mfNoise) {
            // both line forms the devkit's readers accept: a bare path, and an id TAB path
            mfLines.add(n++ % 2 == 0 ? p : n + "\t" + p);
        }
        writeLines(mfNoiseFile, "synthetic MegaFace noise list: id1/id2/name.jpg", mfLines);

        List<String> imgList = new ArrayList<>();
        fsPaths.forEach(p -> imgList.add(FACESCRUB_CROP + "/" + p));
        mfPaths.forEach(p -> imgList.add(MEGAFACE_CROP + "/" + p));
        List<String> maskedList = new ArrayList<>();
        fsPaths.forEach(p -> maskedList.add(MASKED_FACESCRUB_CROP + "/" + p));
        Path imgListFile = crops.resolve("img_list.txt");
        Path maskedListFile = crops.resolve("masked_img_list.txt");
        writeLines(imgListFile, null, imgList);
        writeLines(maskedListFile, null, maskedList);

        Path landmarks = crops.resolve(FACESCRUB_LANDMARKS);
        if (images) {
            List<String> landmarkLines = new ArrayList<>();
            for (int i = 0; i < fsPaths.size(); i++) {
                int id = FACESCRUB_BASE + i / imagesPerIdentity;
                int k = 1 + i % imagesPerIdentity;
                SyntheticFaces.Face face = SyntheticFaces.renderFace(seed, id, k, nuisance);
                writeJpeg(crops.resolve(FACESCRUB_CROP).resolve(fsPaths.get(i)), face.image());
                if (standInMasks) {
                    writeJpeg(crops.resolve(MASKED_FACESCRUB_CROP).resolve(fsPaths.get(i)), mask(face.image()));
                }
                landmarkLines.add(SyntheticFaces.landmarkLine(fsPaths.get(i), face.landmarks()));
            }
            writeLines(landmarks, null, landmarkLines);
            for (int i = 0; i < mfPaths.size(); i++) {
                BufferedImage img = SyntheticFaces.render(seed, MEGAFACE_BASE + i, 1, nuisance);
                writeJpeg(crops.resolve(MEGAFACE_CROP).resolve(mfPaths.get(i)), img);
            }
        }

        Path conf = out.resolve("data_conf.yaml");
        Result res = new Result(out, fsList, mfList, fsNoiseFile, mfNoiseFile, crops, imgListFile, maskedListFile, conf,
                List.copyOf(fsPaths), List.copyOf(fsIds), List.copyOf(mfPaths), Set.copyOf(fsNoise), Set.copyOf(mfNoise),
                images ? landmarks : null);
        Files.writeString(conf, dataConf(res), StandardCharsets.UTF_8);
        return res;
    }

    /** FaceX-Zoo's data_conf.yaml MegaFace section for this devkit. */
    private static String dataConf(Result r) {
        return "# synthetic MegaFace devkit (io.facex.protocol.megaface.SyntheticDevkit)\n"
                + "MegaFace:\n"
                + "    facescrub_list: " + r.facescrubList().toAbsolutePath() + "\n"
                + "    megaceface_list: " + r.megafaceList().toAbsolutePath() + "\n"
                + "    facescrub_noises_file: " + r.facescrubNoises().toAbsolutePath() + "\n"
                + "    megaface_noises_file: " + r.megafaceNoises().toAbsolutePath() + "\n"
                + "    cropped_face_folder: " + r.croppedFaceFolder().toAbsolutePath() + "\n"
                + "    image_list_file: " + r.imageList().toAbsolutePath() + "\n"
                + "    megaface-mask: 0\n"
                + "    masked_cropped_face_folder: " + r.croppedFaceFolder().toAbsolutePath() + "\n"
                + "    masked_image_list_file: " + r.maskedImageList().toAbsolutePath() + "\n";
    }

    /** A surgical-mask stand-in: the lower face under a flat light-blue shape, as FMA-3D's masks cover it. */
    static BufferedImage mask(BufferedImage face) {
        int w = face.getWidth();
        int h = face.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(face, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Path2D.Double m = new Path2D.Double();
            m.moveTo(0.22 * w, 0.55 * h);
            m.curveTo(0.40 * w, 0.50 * h, 0.60 * w, 0.50 * h, 0.78 * w, 0.55 * h);
            m.lineTo(0.74 * w, 0.82 * h);
            m.curveTo(0.62 * w, 0.95 * h, 0.38 * w, 0.95 * h, 0.26 * w, 0.82 * h);
            m.closePath();
            g.setColor(new Color(0xB8D8E8));
            g.fill(m);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void writeJpeg(Path file, BufferedImage img) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "jpg", file.toFile())) {
            throw new IOException("no JPEG writer for " + file);
        }
    }

    /**
     * {@code SyntheticDevkit --out DIR [--identities 10] [--images 5] [--distractors 200] [--facescrub-noises 2]
     * [--megaface-noises 3] [--seed 1] [--lists-only]}
     */
    public static void main(String[] args) throws IOException {
        Path outDir = null;
        List<String[]> opts = new ArrayList<>();
        boolean listsOnly = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--lists-only")) {
                listsOnly = true;
            } else if (i + 1 < args.length) {
                opts.add(new String[] {args[i], args[++i]});
            } else {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
        }
        for (String[] o : opts) {
            if (o[0].equals("--out")) {
                outDir = Path.of(o[1]);
            }
        }
        if (outDir == null) {
            throw new IllegalArgumentException("--out DIR is required");
        }
        SyntheticDevkit b = builder(outDir).images(!listsOnly);
        int fsNoise = b.facescrubNoises;
        int mfNoise = b.megafaceNoises;
        for (String[] o : opts) {
            switch (o[0]) {
                case "--out" -> { }
                case "--identities" -> b.identities(Integer.parseInt(o[1]));
                case "--images" -> b.imagesPerIdentity(Integer.parseInt(o[1]));
                case "--distractors" -> b.distractors(Integer.parseInt(o[1]));
                case "--facescrub-noises" -> fsNoise = Integer.parseInt(o[1]);
                case "--megaface-noises" -> mfNoise = Integer.parseInt(o[1]);
                case "--seed" -> b.seed(Long.parseLong(o[1]));
                default -> throw new IllegalArgumentException("unknown option " + o[0]);
            }
        }
        Result r = b.noises(fsNoise, mfNoise).write();
        System.out.printf(Locale.ROOT, "%s: %d FaceScrub images of %d identities, %d distractors; configuration in %s%n",
                r.root(), r.facescrubPaths().size(), new LinkedHashSet<>(r.facescrubIds()).size(), r.megafacePaths().size(),
                r.dataConf());
    }

    /** The devkit's FaceScrub template list: {@code {"path": [...], "id": [...]}}. */
    public static void writeFacescrubList(Path file, List<String> paths, List<String> ids) throws IOException {
        if (paths.size() != ids.size()) {
            throw new IllegalArgumentException(paths.size() + " paths but " + ids.size() + " ids");
        }
        ObjectNode root = JSON.createObjectNode();
        paths.forEach(root.putArray("path")::add);
        ids.forEach(root.putArray("id")::add);
        writeJson(file, root);
    }

    /** The devkit's MegaFace distractor list: {@code {"path": [...]}}. */
    public static void writeMegafaceList(Path file, List<String> paths) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        paths.forEach(root.putArray("path")::add);
        writeJson(file, root);
    }

    /** One entry a line, after an optional {@code # header}. */
    public static void writeLines(Path file, String header, Collection<String> lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            if (header != null) {
                w.write("# " + header + "\n");
            }
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        }
    }

    private static void writeJson(Path file, ObjectNode root) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            JSON.writeValue(w, root);
        }
    }
}
