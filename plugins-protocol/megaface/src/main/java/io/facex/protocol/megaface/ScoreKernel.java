package io.facex.protocol.megaface;

import java.util.Arrays;

/**
 * Dot products of probes with a block of distractors ({@link DistractorBlocks} layout).
 *
 * <p>Every score is summed in the same order, component 0 first, as {@link #dot}: the inner loops run
 * over distractors (independent lanes), so the JIT's vectorisation never reorders a sum, and Java never
 * fuses a multiply-add. The streaming search therefore gives bit-identical scores to a plain loop over a
 * full score matrix, whatever the block size, tile or thread count — which is what lets the tests compare
 * them exactly.
 *
 * <p>Register blocking: two probes share each loaded distractor row and four components are added per
 * pass over the score arrays. That is as much as C2 (JDK 17) vectorises with its default loop-unroll
 * limit: four probes by four components measured 60 GFLOP/s with {@code -XX:LoopUnrollLimit=300} but
 * 12 without it (the loop body is too big to unroll, so it stays scalar), two by four 35–55.
 */
final class ScoreKernel {

    private ScoreKernel() {
    }

    /** The reference: Σ a[k]·b[k] in float, k ascending. */
    static float dot(float[] a, float[] b) {
        float s = 0f;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    /** s_p[j] = dot(q_p, distractor j) for two probes and the block's {@code len} distractors. */
    static void scores2(float[][] d, int len, float[] q0, float[] q1, float[] s0, float[] s1) {
        int dim = d.length;
        Arrays.fill(s0, 0, len, 0f);
        Arrays.fill(s1, 0, len, 0f);
        int k = 0;
        for (; k + 3 < dim; k += 4) {
            float[] d0 = d[k], d1 = d[k + 1], d2 = d[k + 2], d3 = d[k + 3];
            float a0 = q0[k], a1 = q0[k + 1], a2 = q0[k + 2], a3 = q0[k + 3];
            float b0 = q1[k], b1 = q1[k + 1], b2 = q1[k + 2], b3 = q1[k + 3];
            for (int j = 0; j < len; j++) {
                float x0 = d0[j], x1 = d1[j], x2 = d2[j], x3 = d3[j];
                // left to right: ((s + a0x0) + a1x1) + ..., the order of dot()
                s0[j] = s0[j] + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
                s1[j] = s1[j] + b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
            }
        }
        for (; k < dim; k++) {
            float[] dk = d[k];
            float a = q0[k], b = q1[k];
            for (int j = 0; j < len; j++) {
                float x = dk[j];
                s0[j] += a * x;
                s1[j] += b * x;
            }
        }
    }

    /** s[j] = dot(q, distractor j): the tail of a probe list that does not fill a tile. */
    static void scores1(float[][] d, int len, float[] q, float[] s) {
        int dim = d.length;
        Arrays.fill(s, 0, len, 0f);
        int k = 0;
        for (; k + 3 < dim; k += 4) {
            float[] d0 = d[k], d1 = d[k + 1], d2 = d[k + 2], d3 = d[k + 3];
            float a0 = q[k], a1 = q[k + 1], a2 = q[k + 2], a3 = q[k + 3];
            for (int j = 0; j < len; j++) {
                s[j] = s[j] + a0 * d0[j] + a1 * d1[j] + a2 * d2[j] + a3 * d3[j];
            }
        }
        for (; k < dim; k++) {
            float[] dk = d[k];
            float a = q[k];
            for (int j = 0; j < len; j++) {
                s[j] += a * dk[j];
            }
        }
    }
}
