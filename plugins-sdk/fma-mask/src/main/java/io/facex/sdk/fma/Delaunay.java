package io.facex.sdk.fma;

import java.util.ArrayList;
import java.util.List;

/**
 * Bowyer–Watson Delaunay triangulation of a few dozen points: insert each point, remove the triangles
 * whose circumcircle holds it, and fan the cavity's boundary to it. Run once, on the fixed UV mesh.
 */
final class Delaunay {

    private Delaunay() {
    }

    /** Triangles as index triples into {@code points} (x0, y0, ...), each of positive {@link #area}. */
    static int[] triangulate(double[] points) {
        int n = points.length / 2;
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            minX = Math.min(minX, points[2 * i]);
            maxX = Math.max(maxX, points[2 * i]);
            minY = Math.min(minY, points[2 * i + 1]);
            maxY = Math.max(maxY, points[2 * i + 1]);
        }
        double span = Math.max(maxX - minX, maxY - minY) * 20;
        double cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
        double[] p = new double[2 * (n + 3)];
        System.arraycopy(points, 0, p, 0, 2 * n);
        // a super-triangle around everything, removed at the end with every triangle touching it
        double[] sup = {cx - span, cy - span, cx + span, cy - span, cx, cy + span};
        System.arraycopy(sup, 0, p, 2 * n, 6);
        List<int[]> tris = new ArrayList<>();
        tris.add(oriented(p, n, n + 1, n + 2));
        for (int i = 0; i < n; i++) {
            List<int[]> bad = new ArrayList<>();
            for (int[] t : tris) {
                if (inCircumcircle(p, t, p[2 * i], p[2 * i + 1])) {
                    bad.add(t);
                }
            }
            List<int[]> edges = new ArrayList<>();
            for (int[] t : bad) {
                for (int k = 0; k < 3; k++) {
                    int a = t[k], b = t[(k + 1) % 3];
                    boolean shared = false;
                    for (int[] o : bad) {
                        if (o != t && hasEdge(o, a, b)) {
                            shared = true;
                            break;
                        }
                    }
                    if (!shared) {
                        edges.add(new int[] {a, b});
                    }
                }
            }
            tris.removeAll(bad);
            for (int[] e : edges) {
                tris.add(oriented(p, e[0], e[1], i));
            }
        }
        return tris.stream().filter(t -> t[0] < n && t[1] < n && t[2] < n)
                .flatMapToInt(java.util.Arrays::stream).toArray();
    }

    static double area(double[] p, int a, int b, int c) {
        return ((p[2 * b] - p[2 * a]) * (p[2 * c + 1] - p[2 * a + 1]) - (p[2 * c] - p[2 * a]) * (p[2 * b + 1] - p[2 * a + 1])) / 2;
    }

    private static int[] oriented(double[] p, int a, int b, int c) {
        return area(p, a, b, c) >= 0 ? new int[] {a, b, c} : new int[] {a, c, b};
    }

    private static boolean hasEdge(int[] t, int a, int b) {
        int hits = 0;
        for (int v : t) {
            if (v == a || v == b) {
                hits++;
            }
        }
        return hits == 2;
    }

    /** For a triangle of positive area, the sign of the standard in-circle determinant. */
    private static boolean inCircumcircle(double[] p, int[] t, double x, double y) {
        double ax = p[2 * t[0]] - x, ay = p[2 * t[0] + 1] - y;
        double bx = p[2 * t[1]] - x, by = p[2 * t[1] + 1] - y;
        double cx = p[2 * t[2]] - x, cy = p[2 * t[2] + 1] - y;
        double det = (ax * ax + ay * ay) * (bx * cy - cx * by) - (bx * bx + by * by) * (ax * cy - cx * ay)
                + (cx * cx + cy * cy) * (ax * by - bx * ay);
        return det > 0;
    }
}
