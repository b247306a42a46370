package io.facex.tools.synthetic;

import static io.facex.tools.synthetic.FaceIdentity.clamp;
import static io.facex.tools.synthetic.FaceIdentity.darker;
import static io.facex.tools.synthetic.FaceIdentity.jitter;
import static io.facex.tools.synthetic.FaceIdentity.mix;
import static io.facex.tools.synthetic.FaceIdentity.u;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.MultipleGradientPaint;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.GeneralPath;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.SplittableRandom;

/**
 * Draws one image of a {@link FaceIdentity}: the person's fixed geometry and colours under a random
 * pose, expression, background, lighting, blur, noise and occlusion. The nuisances are deliberately
 * strong — comparing raw pixels must not tell people apart — while everything that identifies the
 * person (shape, proportions, feature sizes, colours up to the lighting) is kept.
 */
final class FaceRenderer {

    static final int SIZE = 112;

    private FaceRenderer() {
    }

    /**
     * @param n nuisance strength: 1 is the default, 0 renders a frontal, evenly lit face on grey
     */
    static BufferedImage render(FaceIdentity id, SplittableRandom r, double n) {
        return renderFace(id, r, n).image();
    }

    /**
     * The image and its five landmarks as a detector gives them (left eye, right eye, nose tip, left and
     * right mouth corner; x, y in pixels), from the very geometry it was drawn with, so masks can be
     * placed without a detector that was never meant for drawn faces.
     */
    static SyntheticFaces.Face renderFace(FaceIdentity id, SplittableRandom r, double n) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        float[] landmarks;
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            background(g, r, n);
            Pose p = new Pose(u(r, -15, 15) * n, 1 + u(r, -0.12, 0.12) * n, u(r, -7, 7) * n, u(r, -6, 6) * n,
                    u(r, -1, 1) * n, u(r, -1, 1) * n);
            AffineTransform base = g.getTransform();
            g.translate(SIZE / 2.0 + p.tx, SIZE / 2.0 + 4 + p.ty);
            g.rotate(Math.toRadians(p.roll));
            g.scale(p.scale, p.scale);
            AffineTransform head = new AffineTransform();
            head.translate(SIZE / 2.0 + p.tx, SIZE / 2.0 + 4 + p.ty);
            head.rotate(Math.toRadians(p.roll));
            head.scale(p.scale, p.scale);
            Expression e = new Expression(u(r, -0.4, 1.0) * Math.min(1, n), r.nextDouble() < 0.3 * n ? u(r, 0.2, 1) : 0,
                    r.nextDouble() < 0.08 * n ? 0.1 : u(r, 1 - 0.45 * n, 1.1), u(r, -2, 3) * n, u(r, -1, 1) * n);
            landmarks = landmarks(id, p, e, head);
            body(g, id, r, p);
            head(g, id, p, e);
            occlusion(g, id, r, n);
            g.setTransform(base);
        } finally {
            g.dispose();
        }
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        light(px, r, n);
        if (r.nextDouble() < 0.5 * Math.min(1, n)) {
            blur(px, 1 + (r.nextDouble() < 0.4 ? 1 : 0));
        }
        noise(px, r, u(r, 1, 10) * n);
        return new SyntheticFaces.Face(img, landmarks);
    }

    /** Eye centres, the nose tip between the nostrils and the mouth corners, as drawn below, in image pixels. */
    private static float[] landmarks(FaceIdentity id, Pose p, Expression e, AffineTransform head) {
        double eyeY = id.eyeY() + p.lift(id);
        double tip = id.eyeY() + p.lift(id) + 2 + id.noseLength();
        double mouthX = p.shift(id, 0.5);
        double mouthW = mouthWidth(id, p, e);
        double cornerY = id.mouthY() + p.lift(id) - e.smile() * mouthW * 0.22;
        double[] face = {
            -id.eyeSpacing() + p.shift(id, 0.15), eyeY,
            id.eyeSpacing() + p.shift(id, 0.15), eyeY,
            p.shift(id, 1), tip - id.noseWidth() * 0.2,
            mouthX - mouthW / 2, cornerY,
            mouthX + mouthW / 2, cornerY};
        double[] image = new double[face.length];
        head.transform(face, 0, image, 0, face.length / 2);
        float[] out = new float[image.length];
        for (int i = 0; i < image.length; i++) {
            out[i] = (float) image[i];
        }
        return out;
    }

    private static double mouthWidth(FaceIdentity id, Pose p, Expression e) {
        return id.mouthWidth() * (1 + 0.15 * e.smile()) * (1 - 0.15 * Math.abs(p.yaw));
    }

    /** Head pose: roll degrees, scale, translation in pixels, yaw and pitch in [-1, 1]. */
    private record Pose(double roll, double scale, double tx, double ty, double yaw, double pitch) {
        /** Horizontal shift of features at depth {@code depth} (0 face plane .. 1 nose tip) for yaw. */
        double shift(FaceIdentity id, double depth) {
            return yaw * id.faceHalfWidth() * (0.22 + 0.2 * depth);
        }

        double lift(FaceIdentity id) {
            return pitch * id.faceHalfHeight() * 0.08;
        }
    }

    /** Smile in [-0.4, 1], mouth opening in [0, 1], eye openness, brow raise (px), gaze in [-1, 1]. */
    private record Expression(double smile, double open, double eyes, double browRaise, double gaze) {
    }

    private static void background(Graphics2D g, SplittableRandom r, double n) {
        Color a = n == 0 ? Color.GRAY : randomColor(r);
        Color b = n == 0 ? Color.GRAY : randomColor(r);
        int kind = n == 0 ? 0 : r.nextInt(5);
        switch (kind) {
            case 0 -> {
                g.setColor(a);
                g.fillRect(0, 0, SIZE, SIZE);
            }
            case 1 -> {
                g.setPaint(new GradientPaint((float) u(r, 0, SIZE), (float) u(r, 0, SIZE), a,
                        (float) u(r, 0, SIZE), (float) u(r, 0, SIZE), b));
                g.fillRect(0, 0, SIZE, SIZE);
            }
            case 2 -> { // stripes at a random angle: texture a network must learn to ignore
                g.setColor(a);
                g.fillRect(0, 0, SIZE, SIZE);
                AffineTransform t = g.getTransform();
                g.rotate(u(r, 0, Math.PI), SIZE / 2.0, SIZE / 2.0);
                g.setColor(b);
                double w = u(r, 4, 16);
                for (double x = -SIZE; x < 2 * SIZE; x += 2 * w) {
                    g.fill(new Rectangle2D.Double(x, -SIZE, w, 3 * SIZE));
                }
                g.setTransform(t);
            }
            case 3 -> { // clutter of blobs
                g.setColor(a);
                g.fillRect(0, 0, SIZE, SIZE);
                int blobs = 4 + r.nextInt(8);
                for (int i = 0; i < blobs; i++) {
                    g.setColor(r.nextBoolean() ? jitter(r, b, 40) : randomColor(r));
                    double s = u(r, 10, 50);
                    g.fill(new Ellipse2D.Double(u(r, -10, SIZE), u(r, -10, SIZE), s, s * u(r, 0.5, 1.5)));
                }
            }
            default -> { // vignette-like radial gradient
                g.setPaint(new RadialGradientPaint(new Point2D.Double(u(r, 0, SIZE), u(r, 0, SIZE)), (float) u(r, 40, 120),
                        new float[] {0f, 1f}, new Color[] {a, b}, MultipleGradientPaint.CycleMethod.REFLECT));
                g.fillRect(0, 0, SIZE, SIZE);
            }
        }
    }

    private static void body(Graphics2D g, FaceIdentity id, SplittableRandom r, Pose p) {
        double fw = id.faceHalfWidth();
        double fh = id.faceHalfHeight();
        Color clothes = randomColor(r);
        if (id.hairStyle() == 2) { // long hair falls behind the shoulders
            g.setColor(id.hair());
            g.fill(new RoundRectangle2D.Double(-fw * 1.25, -fh * 1.05, fw * 2.5, fh * 2.6, fw, fw));
        }
        if (id.hairStyle() == 5) { // volume all around
            g.setColor(id.hair());
            double v = 1.25 + id.hairVolume();
            g.fill(new Ellipse2D.Double(-fw * v, -fh * (v - 0.05), 2 * fw * v, 2 * fh * v * 0.85));
        }
        g.setColor(clothes);
        g.fill(new Ellipse2D.Double(-fw * 2.6, fh * 1.25, fw * 5.2, fh * 2.4));
        g.setColor(darker(id.skin(), 0.8));
        g.fill(new Rectangle2D.Double(-fw * 0.45 + p.shift(id, 0) * 0.3, fh * 0.6, fw * 0.9, fh * 0.8));
    }

    private static void head(Graphics2D g, FaceIdentity id, Pose p, Expression e) {
        double fw = id.faceHalfWidth();
        double fh = id.faceHalfHeight();
        ears(g, id, p);
        Path2D face = faceOutline(id, p);
        // Shading makes the face look round: lit centre, darker rim, the bright side follows the yaw.
        g.setPaint(new RadialGradientPaint(new Point2D.Double(p.shift(id, 0.5), -fh * 0.15), (float) (fw * 1.5),
                new float[] {0f, 0.55f, 1f}, new Color[] {mix(id.skin(), Color.WHITE, 0.08), id.skin(),
                darker(id.skin(), 0.7)}));
        g.fill(face);
        hairFront(g, id, p, face);
        if (id.mole()) {
            g.setColor(darker(id.skin(), 0.45));
            double s = 2.2;
            g.fill(new Ellipse2D.Double(id.moleX() + p.shift(id, 0.1) - s / 2, id.moleY() - s / 2, s, s));
        }
        eyes(g, id, p, e);
        brows(g, id, p, e);
        nose(g, id, p);
        mouth(g, id, p, e);
        beard(g, id, p);
        if (id.glasses()) {
            glasses(g, id, p, id.glassesColor(), false);
        }
    }

    private static Path2D faceOutline(FaceIdentity id, Pose p) {
        double fw = id.faceHalfWidth();
        double fh = id.faceHalfHeight();
        // Yaw narrows the side turning away and widens the other.
        double left = fw * (1 + 0.12 * p.yaw);
        double right = fw * (1 - 0.12 * p.yaw);
        double chinX = p.shift(id, 0.3);
        GeneralPath path = new GeneralPath();
        path.moveTo(0, -fh);
        path.quadTo(right * 1.02, -fh, right, -fh * 0.2);
        path.quadTo(right * id.cheek(), fh * 0.45, right * id.jaw(), fh * 0.78);
        path.quadTo(chinX + right * id.chin() * 0.6, fh * 1.02, chinX, fh);
        path.quadTo(chinX - left * id.chin() * 0.6, fh * 1.02, -left * id.jaw(), fh * 0.78);
        path.quadTo(-left * id.cheek(), fh * 0.45, -left, -fh * 0.2);
        path.quadTo(-left * 1.02, -fh, 0, -fh);
        path.closePath();
        return path;
    }

    private static void ears(Graphics2D g, FaceIdentity id, Pose p) {
        double fw = id.faceHalfWidth();
        double s = id.earSize();
        g.setColor(darker(id.skin(), 0.9));
        double leftVisible = 1 + 0.6 * p.yaw;   // the ear on the side turned towards the camera shows more
        double rightVisible = 1 - 0.6 * p.yaw;
        g.fill(new Ellipse2D.Double(-fw * (1 + 0.12 * p.yaw) - s * 0.55 * leftVisible, id.earY() - s, s * leftVisible,
                2 * s));
        g.fill(new Ellipse2D.Double(fw * (1 - 0.12 * p.yaw) - s * 0.45 * rightVisible, id.earY() - s,
                s * rightVisible, 2 * s));
    }

    private static void hairFront(Graphics2D g, FaceIdentity id, Pose p, Path2D face) {
        double fw = id.faceHalfWidth();
        double fh = id.faceHalfHeight();
        double line = -fh * id.hairline();
        g.setColor(id.hair());
        switch (id.hairStyle()) {
            case 0 -> { // bald or shaved: a thin darker cap
                g.setColor(mix(id.skin(), id.hair(), 0.25));
                g.fill(capShape(fw, fh, line - fh * 0.1, 0.02));
            }
            case 3 -> { // bangs: straight fringe low on the forehead
                g.fill(capShape(fw, fh, line + fh * 0.2, id.hairVolume()));
            }
            case 4 -> { // side part: the fringe sweeps down to one side
                GeneralPath sweep = capShape(fw, fh, line, id.hairVolume());
                sweep.append(new Ellipse2D.Double(-fw * 0.95, line - fh * 0.1, fw * 1.1, fh * 0.35), false);
                g.fill(sweep);
            }
            default -> g.fill(capShape(fw, fh, line, id.hairVolume()));
        }
    }

    /** Hair covering the top of the head down to {@code line}, bulging by {@code volume}. */
    private static GeneralPath capShape(double fw, double fh, double line, double volume) {
        double top = -fh * (1.05 + volume);
        double side = fw * (1.05 + volume * 0.5);
        GeneralPath cap = new GeneralPath();
        cap.moveTo(-side, line + fh * 0.15);
        cap.quadTo(-side * 1.05, top, 0, top);
        cap.quadTo(side * 1.05, top, side, line + fh * 0.15);
        cap.lineTo(fw * 0.7, line + fh * 0.08);
        cap.quadTo(0, line - fh * 0.08, -fw * 0.7, line + fh * 0.08);
        cap.closePath();
        return cap;
    }

    private static void eyes(Graphics2D g, FaceIdentity id, Pose p, Expression e) {
        for (int side = -1; side <= 1; side += 2) {
            double cx = side * id.eyeSpacing() + p.shift(id, 0.15);
            double cy = id.eyeY() + p.lift(id);
            // foreshortening: the eye on the side turning away looks narrower
            double w = id.eyeWidth() * (1 - 0.3 * Math.max(0, side * p.yaw));
            double h = w * id.eyeHeight() * e.eyes();
            AffineTransform t = g.getTransform();
            g.rotate(side * id.eyeTilt(), cx, cy);
            Ellipse2D white = new Ellipse2D.Double(cx - w / 2, cy - h / 2, w, Math.max(0.6, h));
            g.setColor(new Color(235, 232, 225));
            g.fill(white);
            double ir = Math.min(w * id.irisRatio() / 2, Math.max(0.4, h / 2));
            double ix = cx + e.gaze() * w * 0.18;
            g.setClip(white);
            g.setColor(id.iris());
            g.fill(new Ellipse2D.Double(ix - ir, cy - ir, 2 * ir, 2 * ir));
            g.setColor(Color.BLACK);
            g.fill(new Ellipse2D.Double(ix - ir * 0.45, cy - ir * 0.45, ir * 0.9, ir * 0.9));
            g.setClip(null);
            g.setColor(darker(id.skin(), 0.45));
            g.setStroke(new BasicStroke(1.1f));
            g.draw(new QuadCurve2D.Double(cx - w / 2, cy, cx, cy - h * 0.9, cx + w / 2, cy));
            g.setTransform(t);
        }
    }

    private static void brows(Graphics2D g, FaceIdentity id, Pose p, Expression e) {
        g.setColor(id.brow());
        g.setStroke(new BasicStroke((float) id.browThickness(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int side = -1; side <= 1; side += 2) {
            double cx = side * id.eyeSpacing() + p.shift(id, 0.2);
            double cy = id.eyeY() + p.lift(id) - id.eyeWidth() * id.eyeHeight() / 2 - id.browGap() - e.browRaise();
            double half = id.eyeWidth() * id.browLength() / 2;
            double tilt = side * id.browAngle() * half;
            g.draw(new QuadCurve2D.Double(cx - half, cy + tilt, cx, cy - id.browArch() * half * 0.5, cx + half,
                    cy - tilt));
        }
    }

    private static void nose(Graphics2D g, FaceIdentity id, Pose p) {
        double top = id.eyeY() + p.lift(id) + 2;
        double tip = top + id.noseLength();
        double x0 = p.shift(id, 0.3);
        double x1 = p.shift(id, 1);
        double w = id.noseWidth();
        Color shade = darker(id.skin(), 0.72);
        g.setColor(shade);
        g.setStroke(new BasicStroke((float) (0.8 + id.noseBridge()), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        // the bridge is drawn on the shadow side only, like a side-lit nose
        double side = p.yaw >= 0 ? -1 : 1;
        g.draw(new QuadCurve2D.Double(x0 + side * w * 0.25, top, x1 + side * w * 0.35, (top + tip) / 2,
                x1 + side * w * 0.45, tip - 1));
        g.fill(new Ellipse2D.Double(x1 - w / 2, tip - w * 0.25, w * 0.38, w * 0.28));
        g.fill(new Ellipse2D.Double(x1 + w / 2 - w * 0.38, tip - w * 0.25, w * 0.38, w * 0.28));
        g.setColor(mix(id.skin(), Color.WHITE, 0.1));
        g.fill(new Ellipse2D.Double(x1 - w * 0.18, tip - w * 0.55, w * 0.36, w * 0.3));
    }

    private static void mouth(Graphics2D g, FaceIdentity id, Pose p, Expression e) {
        double cx = p.shift(id, 0.5);
        double cy = id.mouthY() + p.lift(id);
        double w = mouthWidth(id, p, e);
        double lip = id.lipThickness();
        double curve = e.smile() * w * 0.22; // corners up when smiling
        double open = e.open() * (lip + 3);
        GeneralPath upper = new GeneralPath();
        upper.moveTo(cx - w / 2, cy - curve);
        upper.quadTo(cx - w / 4, cy - lip * 1.2, cx, cy - lip * 0.8);
        upper.quadTo(cx + w / 4, cy - lip * 1.2, cx + w / 2, cy - curve);
        upper.quadTo(cx, cy + curve * 0.3, cx - w / 2, cy - curve);
        GeneralPath lower = new GeneralPath();
        lower.moveTo(cx - w / 2, cy - curve);
        lower.quadTo(cx, cy + open + curve * 0.6, cx + w / 2, cy - curve);
        lower.quadTo(cx, cy + open + lip * 1.6 + curve * 0.6, cx - w / 2, cy - curve);
        if (open > 0.5) {
            g.setColor(new Color(60, 20, 25));
            g.fill(new Ellipse2D.Double(cx - w * 0.38, cy - 1, w * 0.76, open + 1));
            g.setColor(new Color(230, 225, 210));
            g.fill(new Rectangle2D.Double(cx - w * 0.25, cy - 0.5, w * 0.5, Math.min(2.2, open * 0.5)));
        }
        g.setColor(id.lips());
        g.fill(upper);
        g.fill(lower);
        g.setColor(darker(id.lips(), 0.6));
        g.setStroke(new BasicStroke(0.8f));
        g.draw(new QuadCurve2D.Double(cx - w / 2, cy - curve, cx, cy + curve * 0.3 + open * 0.5, cx + w / 2, cy - curve));
    }

    private static void beard(Graphics2D g, FaceIdentity id, Pose p) {
        if (id.beard() == 0) {
            return;
        }
        double fw = id.faceHalfWidth();
        double fh = id.faceHalfHeight();
        double cx = p.shift(id, 0.5);
        double my = id.mouthY() + p.lift(id);
        g.setColor(new Color(id.hair().getRed(), id.hair().getGreen(), id.hair().getBlue(), 210));
        if (id.beard() == 1 || id.beard() == 2) { // moustache
            g.fill(new Ellipse2D.Double(cx - id.mouthWidth() * 0.6, my - id.lipThickness() - 4, id.mouthWidth() * 1.2, 4));
        }
        if (id.beard() == 2) { // full beard along the jaw
            GeneralPath b = new GeneralPath();
            b.moveTo(-fw * id.jaw() * 1.05, fh * 0.35);
            b.quadTo(cx, fh * 1.25, fw * id.jaw() * 1.05, fh * 0.35);
            b.lineTo(fw * id.jaw() * 0.8, fh * 0.78);
            b.quadTo(cx, fh * 0.95, -fw * id.jaw() * 0.8, fh * 0.78);
            b.closePath();
            g.fill(b);
        }
        if (id.beard() == 3) { // goatee
            g.fill(new Ellipse2D.Double(cx - fw * 0.22, my + id.lipThickness() + 2, fw * 0.44, fh * 0.3));
        }
    }

    private static void glasses(Graphics2D g, FaceIdentity id, Pose p, Color c, boolean dark) {
        double cy = id.eyeY() + p.lift(id);
        double r = id.eyeWidth() * 0.85;
        g.setStroke(new BasicStroke(1.4f));
        for (int side = -1; side <= 1; side += 2) {
            double cx = side * id.eyeSpacing() + p.shift(id, 0.4);
            Ellipse2D lens = new Ellipse2D.Double(cx - r, cy - r * 0.75, 2 * r, 1.5 * r);
            if (dark) {
                g.setColor(new Color(15, 15, 20));
                g.fill(lens);
            }
            g.setColor(c);
            g.draw(lens);
        }
        g.setColor(c);
        double x = p.shift(id, 0.4);
        g.draw(new QuadCurve2D.Double(x - id.eyeSpacing() + r, cy, x, cy - 2, x + id.eyeSpacing() - r, cy));
    }

    /** Something in front of the face: sunglasses, a mask, a hand, a hat brim or a random patch. */
    private static void occlusion(Graphics2D g, FaceIdentity id, SplittableRandom r, double n) {
        if (r.nextDouble() >= 0.35 * Math.min(1, n)) {
            return;
        }
        double fw = id.faceHalfWidth();
        double fh = id.faceHalfHeight();
        Pose frontal = new Pose(0, 1, 0, 0, 0, 0);
        switch (r.nextInt(5)) {
            case 0 -> glasses(g, id, frontal, randomColor(r), true);
            case 1 -> { // face mask over nose and mouth
                g.setColor(randomColor(r));
                GeneralPath m = new GeneralPath();
                double top = id.eyeY() + id.noseLength() * 0.55;
                m.moveTo(-fw * 0.95, top);
                m.quadTo(0, top - 4, fw * 0.95, top);
                m.lineTo(fw * 0.7, fh * 0.8);
                m.quadTo(0, fh * 1.05, -fw * 0.7, fh * 0.8);
                m.closePath();
                g.fill(m);
            }
            case 2 -> { // a hand: skin-coloured blob from below or the side
                g.setColor(jitter(r, id.skin(), 25));
                double x = u(r, -fw, fw);
                g.fill(new Ellipse2D.Double(x - 12, u(r, 0, fh), u(r, 18, 30), u(r, 25, 45)));
            }
            case 3 -> { // hat brim low on the forehead
                g.setColor(randomColor(r));
                double y = -fh * u(r, 0.45, 0.8);
                g.fill(new Rectangle2D.Double(-fw * 1.6, y - fh * 1.2, fw * 3.2, fh * 1.2));
                g.fill(new Ellipse2D.Double(-fw * 1.7, y - 4, fw * 3.4, 8));
            }
            default -> {
                g.setColor(randomColor(r));
                double w = u(r, 12, 35);
                double h = u(r, 10, 30);
                g.fill(new Rectangle2D.Double(u(r, -fw, fw) - w / 2, u(r, -fh, fh) - h / 2, w, h));
            }
        }
    }

    /** Directional light, overall exposure and a colour cast, on BGR bytes. */
    private static void light(byte[] px, SplittableRandom r, double n) {
        double angle = u(r, 0, 2 * Math.PI);
        double dx = Math.cos(angle);
        double dy = Math.sin(angle);
        double strength = u(r, 0, 0.7) * n;
        double gain = 1 + u(r, -0.45, 0.3) * n;
        double[] cast = {1 + u(r, -0.15, 0.15) * n, 1 + u(r, -0.15, 0.15) * n, 1 + u(r, -0.15, 0.15) * n};
        double half = SIZE / 2.0;
        for (int y = 0, i = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double m = gain * (1 + strength * ((x - half) * dx + (y - half) * dy) / half);
                for (int c = 0; c < 3; c++, i++) {
                    px[i] = (byte) clamp((px[i] & 0xff) * m * cast[c]);
                }
            }
        }
    }

    /** {@code passes} 3x3 box blurs (two approximate a Gaussian of sigma ~1.2). */
    private static void blur(byte[] px, int passes) {
        int[] tmp = new int[px.length];
        for (int pass = 0; pass < passes; pass++) {
            for (int y = 0; y < SIZE; y++) { // horizontal
                for (int x = 0; x < SIZE; x++) {
                    int l = Math.max(0, x - 1);
                    int rr = Math.min(SIZE - 1, x + 1);
                    for (int c = 0; c < 3; c++) {
                        int row = y * SIZE;
                        tmp[(row + x) * 3 + c] = (px[(row + l) * 3 + c] & 0xff) + (px[(row + x) * 3 + c] & 0xff)
                                + (px[(row + rr) * 3 + c] & 0xff);
                    }
                }
            }
            for (int y = 0; y < SIZE; y++) { // vertical
                int u = Math.max(0, y - 1);
                int d = Math.min(SIZE - 1, y + 1);
                for (int x = 0; x < SIZE; x++) {
                    for (int c = 0; c < 3; c++) {
                        int s = tmp[(u * SIZE + x) * 3 + c] + tmp[(y * SIZE + x) * 3 + c] + tmp[(d * SIZE + x) * 3 + c];
                        px[(y * SIZE + x) * 3 + c] = (byte) ((s + 4) / 9);
                    }
                }
            }
        }
    }

    private static void noise(byte[] px, SplittableRandom r, double sigma) {
        if (sigma <= 0) {
            return;
        }
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) clamp((px[i] & 0xff) + r.nextGaussian() * sigma);
        }
    }

    private static Color randomColor(SplittableRandom r) {
        return new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
    }
}
