package io.facex.tools.synthetic;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * What stays the same across one synthetic person's images: face geometry and appearance. Lengths are
 * in pixels of a 112 x 112 image at scale 1, relative to the face centre.
 */
record FaceIdentity(
        double faceHalfWidth, double faceHalfHeight, double jaw, double cheek, double chin,
        Color skin,
        int hairStyle, Color hair, double hairline, double hairVolume,
        double eyeSpacing, double eyeY, double eyeWidth, double eyeHeight, double eyeTilt, Color iris,
        double irisRatio,
        double browThickness, double browLength, double browGap, double browAngle, double browArch, Color brow,
        double noseLength, double noseWidth, double noseBridge,
        double mouthWidth, double mouthY, double lipThickness, Color lips,
        double earSize, double earY,
        int beard, double moleX, double moleY, boolean mole,
        boolean glasses, Color glassesColor) {

    static final int HAIR_STYLES = 6;

    /** A random person; everything visible is drawn from broad ranges so people differ in shape, not only colour. */
    static FaceIdentity random(SplittableRandom r) {
        double fw = u(r, 25, 36);
        double fh = u(r, 32, 43);
        // Skin from a continuous dark-to-light ramp with a small tint, so tone alone separates few people.
        double tone = r.nextDouble();
        Color skin = jitter(r, mix(new Color(92, 58, 40), new Color(246, 212, 186), tone), 18);
        Color hair = HAIR[r.nextInt(HAIR.length)];
        hair = jitter(r, hair, 20);
        Color brow = r.nextDouble() < 0.7 ? darker(hair, 0.75) : jitter(r, new Color(50, 38, 30), 20);
        int style = r.nextInt(HAIR_STYLES);
        return new FaceIdentity(
                fw, fh, u(r, 0.45, 0.95), u(r, 0.85, 1.08), u(r, 0.15, 0.55),
                skin,
                style, hair, u(r, 0.45, 0.8), u(r, 0.05, 0.35),
                u(r, 0.32, 0.5) * fw, u(r, -0.28, -0.05) * fh, u(r, 0.2, 0.34) * fw, u(r, 0.35, 0.7),
                u(r, -0.25, 0.25), IRIS[r.nextInt(IRIS.length)], u(r, 0.35, 0.6),
                u(r, 1.2, 4.5), u(r, 0.8, 1.5), u(r, 3, 8), u(r, -0.35, 0.35), u(r, -0.3, 0.6), brow,
                u(r, 0.25, 0.48) * fh, u(r, 0.18, 0.38) * fw, u(r, 0.3, 1.0),
                u(r, 0.35, 0.75) * fw, u(r, 0.38, 0.62) * fh, u(r, 1.5, 5.5), jitter(r, mix(skin, new Color(170, 60, 70),
                        u(r, 0.25, 0.7)), 15),
                u(r, 5, 11), u(r, -0.2, 0.15) * fh,
                r.nextDouble() < 0.3 ? 1 + r.nextInt(3) : 0, u(r, -0.6, 0.6) * fw, u(r, -0.3, 0.6) * fh, r.nextDouble() < 0.3,
                r.nextDouble() < 0.15, jitter(r, GLASSES[r.nextInt(GLASSES.length)], 20));
    }

    private static final Color[] HAIR = {
        new Color(20, 16, 14), new Color(45, 30, 20), new Color(90, 60, 35), new Color(150, 105, 60),
        new Color(215, 180, 110), new Color(160, 70, 30), new Color(150, 150, 150), new Color(225, 225, 220),
        new Color(70, 45, 40),
    };

    private static final Color[] IRIS = {
        new Color(70, 45, 25), new Color(40, 28, 20), new Color(70, 110, 160), new Color(80, 120, 80),
        new Color(110, 90, 60), new Color(20, 20, 20),
    };

    private static final Color[] GLASSES = {
        new Color(20, 20, 20), new Color(120, 80, 40), new Color(180, 180, 190), new Color(150, 30, 40),
    };

    static double u(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    static Color mix(Color a, Color b, double t) {
        return new Color(clamp(a.getRed() + (b.getRed() - a.getRed()) * t),
                clamp(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                clamp(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }

    static Color jitter(SplittableRandom r, Color c, int amount) {
        return new Color(clamp(c.getRed() + u(r, -amount, amount)), clamp(c.getGreen() + u(r, -amount, amount)),
                clamp(c.getBlue() + u(r, -amount, amount)));
    }

    static Color darker(Color c, double f) {
        return new Color(clamp(c.getRed() * f), clamp(c.getGreen() * f), clamp(c.getBlue() * f));
    }

    static int clamp(double v) {
        return v < 0 ? 0 : v > 255 ? 255 : (int) Math.round(v);
    }
}
