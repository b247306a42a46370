package io.facex.sdk.fma;

/** 2-D affine maps as row-major {@code [a, b, c, d, e, f]}: (x, y) → (a·x + b·y + c, d·x + e·y + f). */
final class Affine {

    private Affine() {
    }

    /**
     * The affine map taking the points {@code src} onto {@code dst} (x0, y0, x1, y1, ...) in the least-squares
     * sense: the normal equations of each output coordinate, on centred points for conditioning.
     */
    static double[] leastSquares(double[] src, double[] dst) {
        int n = src.length / 2;
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < n; i++) {
            sx += src[2 * i];
            sy += src[2 * i + 1];
            dx += dst[2 * i];
            dy += dst[2 * i + 1];
        }
        sx /= n;
        sy /= n;
        dx /= n;
        dy /= n;
        double xx = 0, xy = 0, yy = 0, ux = 0, uy = 0, vx = 0, vy = 0;
        for (int i = 0; i < n; i++) {
            double x = src[2 * i] - sx, y = src[2 * i + 1] - sy;
            double u = dst[2 * i] - dx, v = dst[2 * i + 1] - dy;
            xx += x * x;
            xy += x * y;
            yy += y * y;
            ux += u * x;
            uy += u * y;
            vx += v * x;
            vy += v * y;
        }
        double det = xx * yy - xy * xy;
        if (!(Math.abs(det) > 1e-12 * Math.max(1, xx * yy))) {
            throw new IllegalArgumentException("the reference points are collinear: no affine fit");
        }
        double a = (ux * yy - uy * xy) / det, b = (uy * xx - ux * xy) / det;
        double d = (vx * yy - vy * xy) / det, e = (vy * xx - vx * xy) / det;
        return new double[] {a, b, dx - a * sx - b * sy, d, e, dy - d * sx - e * sy};
    }

    static double[] apply(double[] m, double[] points) {
        double[] out = new double[points.length];
        for (int i = 0; i < points.length; i += 2) {
            out[i] = m[0] * points[i] + m[1] * points[i + 1] + m[2];
            out[i + 1] = m[3] * points[i] + m[4] * points[i + 1] + m[5];
        }
        return out;
    }
}
