package io.facex.sdk.fma;

import io.facex.api.AbstractPlugin;
import io.facex.api.FaceImage;
import io.facex.api.InvalidConfigException;
import io.facex.api.sdk.MaskAdder;
import io.facex.api.sdk.MaskedFace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * FaceX-Zoo's FMA-3D mask adding (spec §7), by its 2-D fallback: the template, a mask in PRNet's UV
 * space, is warped piecewise-affinely along a landmark mesh (jaw, nose, eye corners, lips and a ring
 * beyond them, Delaunay-triangulated in UV space) onto the photo, its alpha feathered, and blended in.
 * The mesh follows the landmarks, so the mask follows the face's rotation, scale and yaw.
 *
 * <p>With PRNet weights ({@code prnet_path}) it takes FMA-3D's own UV path instead: PRNet turns the crop
 * around the landmarks into a position map, the template is blended into the face's texture in UV space
 * and rendered back through a z-buffer ({@link UvPath}). FaceX-Zoo does not publish those weights.
 */
public final class Fma3d extends AbstractPlugin<Fma3d.Config> implements MaskAdder<Fma3d.Config> {

    /**
     * @param templateDir a folder of templates {@code 0.png, 1.png, ...} (256×256 RGBA, UV space) instead
     *                    of the 8 bundled ones; empty: bundled
     * @param colorJitter each colour channel of the template is scaled by a factor drawn uniformly from
     *                    [1 − j, 1 + j] (seeded); 0: the template's own colours
     * @param feather     the σ of the Gaussian that softens the mask's edge, as a share of the eye distance
     * @param minEyeRatio faces whose eye distance is below this share of the eye-to-mouth distance are
     *                    refused as profiles (frontal ≈ 1; 0.3 ≈ 70° of yaw)
     * @param prnetPath   PRNet's state dict (FMA-3D's keys; .npz, .safetensors, .pt/.pth): the UV path;
     *                    empty: the 2-D mesh
     * @param wholeFace   UV path only: paste the whole re-rendered face, as FMA-3D does, instead of the mask
     *                    alone (then {@code feather} does not apply either way)
     */
    public record Config(String templateDir, double colorJitter, double feather, double minEyeRatio, String prnetPath,
                         boolean wholeFace) {
    }

    private final Object lock = new Object();
    private Prnet.Loaded prnet;

    public Fma3d() {
        super("FMA-3D", "adds a synthetic face mask along the landmarks (FMA-3D's templates; 2-D mesh warp, or PRNet's UV path given prnet_path)",
                Config.class, new Config("", 0.0, 0.03, 0.3, "", false));
    }

    @Override
    public void validate(Config c) {
        if (!(c.colorJitter() >= 0 && c.colorJitter() <= 1)) {
            throw new InvalidConfigException("color_jitter", "must be in [0, 1], got " + c.colorJitter());
        }
        if (!(c.feather() >= 0 && c.feather() <= 0.5)) {
            throw new InvalidConfigException("feather", "must be in [0, 0.5] (a share of the eye distance), got " + c.feather());
        }
        if (!(c.minEyeRatio() >= 0 && c.minEyeRatio() < 1)) {
            throw new InvalidConfigException("min_eye_ratio", "must be in [0, 1), got " + c.minEyeRatio());
        }
        String prnetPath = prnetPath(c);
        if (!prnetPath.isEmpty() && !Files.isRegularFile(Path.of(prnetPath))) {
            throw new InvalidConfigException("prnet_path", prnetPath + ": no such file");
        }
        String dir = dir(c);
        if (!dir.isEmpty()) {
            if (!Files.isDirectory(Path.of(dir))) {
                throw new InvalidConfigException("template_dir", dir + ": no such folder");
            }
            if (MaskTemplates.count(dir) == 0) {
                throw new InvalidConfigException("template_dir", Path.of(dir, "0.png") + ": no such file (templates are "
                        + "named 0.png, 1.png, ...)");
            }
        }
    }

    /** How many templates the configuration offers (numbered from 0). */
    public int templates(Config c) {
        return MaskTemplates.count(dir(c));
    }

    @Override
    public MaskedFace addMask(FaceImage image, float[] landmarks, int template, long seed, Config c) {
        validate(c);
        int count = templates(c);
        // SplittableRandom: java.util.Random's first draws from consecutive seeds (image 0, 1, 2, ...) are
        // nearly equal. Both draws happen whatever is asked, so a fixed template gets the colours a drawn one would.
        SplittableRandom random = new SplittableRandom(seed);
        int drawn = random.nextInt(count);
        double[] gains = new double[3];
        for (int i = 0; i < 3; i++) {
            gains[i] = 1 + c.colorJitter() * (2 * random.nextDouble() - 1);
        }
        int t = template == ANY_TEMPLATE ? drawn : template;
        if (t < 0 || t >= count) {
            throw new IllegalArgumentException("mask template " + template + " does not exist: "
                    + (dir(c).isEmpty() ? "the bundled templates are" : dir(c) + " holds") + " 0-" + (count - 1)
                    + (template < 0 ? " (" + ANY_TEMPLATE + ": any)" : ""));
        }
        double[] shape = FaceShape.imagePoints(landmarks);
        FaceShape.checkFits(landmarks, image.width(), image.height(), c.minEyeRatio());
        if (!prnetPath(c).isEmpty()) {
            UvCrop crop = UvCrop.around(shape);
            float[] input = crop.input(image);
            float[] sigmoid;
            synchronized (lock) {
                sigmoid = prnet(Path.of(prnetPath(c))).run(input);
            }
            FaceImage[] out = UvPath.apply(image, crop.positions(sigmoid), MaskTemplates.get(dir(c), t), gains, c.wholeFace());
            return new MaskedFace(out[0], out[1], t);
        }
        double[] mesh = Mesh.vertices(shape);
        Mesh.checkNotFolded(mesh);
        double[] eyeL = FaceShape.centre(shape, 36, 42), eyeR = FaceShape.centre(shape, 42, 48);
        double sigma = c.feather() * Math.hypot(eyeR[0] - eyeL[0], eyeR[1] - eyeL[1]);
        FaceImage[] out = MeshWarp.blend(image, mesh, MaskTemplates.get(dir(c), t), gains, sigma);
        return new MaskedFace(out[0], out[1], t);
    }

    /** The cached network, reloaded when the configured file (or its time stamp or size) changes. */
    private Prnet.Loaded prnet(Path file) {
        String stamp = Prnet.Loaded.stamp(file);
        if (prnet == null || !prnet.stamp.equals(stamp)) {
            Prnet.Loaded next = Prnet.Loaded.load(file);
            if (prnet != null) {
                prnet.close();
            }
            prnet = next;
        }
        return prnet;
    }

    private static String prnetPath(Config c) {
        return c.prnetPath() == null ? "" : c.prnetPath().trim();
    }

    private static String dir(Config c) {
        return c.templateDir() == null ? "" : c.templateDir().trim();
    }
}
