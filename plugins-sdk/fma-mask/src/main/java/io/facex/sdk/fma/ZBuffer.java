package io.facex.sdk.fma;

import java.util.Arrays;

/**
 * FMA-3D's rasteriser (spec §7 step 8): triangles drawn in order, each flat, its depth and attributes the
 * means of its three vertices'; a pixel (u, v) with integer coordinates belongs to a triangle when its
 * barycentric coordinates are u ≥ 0, v ≥ 0, u + v < 1, and takes it when the triangle is nearer (larger
 * z) than what the pixel holds. Only the box around the vertices is allocated.
 */
final class ZBuffer {

    /**
     * The rendering of the box (x0, y0, w, h): {@code k} attributes per pixel, and which pixels a triangle
     * covered (the face mask).
     */
    record Frame(int x0, int y0, int w, int h, int k, float[] values, boolean[] covered) {

        float value(int x, int y, int channel) {
            return values[((y - y0) * w + (x - x0)) * k + channel];
        }

        boolean covers(int x, int y) {
            return x >= x0 && y >= y0 && x < x0 + w && y < y0 + h && covered[(y - y0) * w + (x - x0)];
        }
    }

    private ZBuffer() {
    }

    /**
     * @param xyz        vertices, x, y, z each, in image pixels
     * @param triangles  vertex indices, three per triangle
     * @param attributes {@code k} values per vertex
     */
    static Frame render(float[] xyz, int[] triangles, float[] attributes, int k, int width, int height) {
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (int v : triangles) {
            minX = Math.min(minX, xyz[3 * v]);
            maxX = Math.max(maxX, xyz[3 * v]);
            minY = Math.min(minY, xyz[3 * v + 1]);
            maxY = Math.max(maxY, xyz[3 * v + 1]);
        }
        int x0 = Math.max(0, (int) Math.ceil(minX)), y0 = Math.max(0, (int) Math.ceil(minY));
        int x1 = Math.min(width - 1, (int) Math.floor(maxX)), y1 = Math.min(height - 1, (int) Math.floor(maxY));
        int w = x1 < x0 ? 0 : x1 - x0 + 1, h = y1 < y0 ? 0 : y1 - y0 + 1;
        float[] values = new float[w * h * k];
        boolean[] covered = new boolean[w * h];
        double[] depth = new double[w * h];
        Arrays.fill(depth, Double.NEGATIVE_INFINITY);
        float[] flat = new float[k];
        for (int t = 0; t < triangles.length; t += 3) {
            int a = triangles[t], b = triangles[t + 1], c = triangles[t + 2];
            double ax = xyz[3 * a], ay = xyz[3 * a + 1], bx = xyz[3 * b], by = xyz[3 * b + 1];
            double cx = xyz[3 * c], cy = xyz[3 * c + 1];
            int left = Math.max(x0, (int) Math.ceil(Math.min(ax, Math.min(bx, cx))));
            int right = Math.min(x1, (int) Math.floor(Math.max(ax, Math.max(bx, cx))));
            int top = Math.max(y0, (int) Math.ceil(Math.min(ay, Math.min(by, cy))));
            int bottom = Math.min(y1, (int) Math.floor(Math.max(ay, Math.max(by, cy))));
            if (right < left || bottom < top) {
                continue;
            }
            // barycentric coordinates along the edges a→c (u) and a→b (v), by their dot products
            double e0x = cx - ax, e0y = cy - ay, e1x = bx - ax, e1y = by - ay;
            double d00 = e0x * e0x + e0y * e0y, d01 = e0x * e1x + e0y * e1y, d11 = e1x * e1x + e1y * e1y;
            double det = d00 * d11 - d01 * d01;
            if (det == 0) {
                continue; // FMA-3D would paint a degenerate triangle's whole box; it covers no area
            }
            double inv = 1 / det;
            double z = (xyz[3 * a + 2] + xyz[3 * b + 2] + xyz[3 * c + 2]) / 3.0;
            for (int i = 0; i < k; i++) {
                flat[i] = (attributes[a * k + i] + attributes[b * k + i] + attributes[c * k + i]) / 3f;
            }
            for (int y = top; y <= bottom; y++) {
                for (int x = left; x <= right; x++) {
                    int p = (y - y0) * w + (x - x0);
                    if (!(z > depth[p])) {
                        continue;
                    }
                    double px = x - ax, py = y - ay;
                    double d02 = e0x * px + e0y * py, d12 = e1x * px + e1y * py;
                    double u = (d11 * d02 - d01 * d12) * inv, v = (d00 * d12 - d01 * d02) * inv;
                    if (u >= 0 && v >= 0 && u + v < 1) {
                        depth[p] = z;
                        covered[p] = true;
                        System.arraycopy(flat, 0, values, p * k, k);
                    }
                }
            }
        }
        return new Frame(x0, y0, w, h, k, values, covered);
    }
}
