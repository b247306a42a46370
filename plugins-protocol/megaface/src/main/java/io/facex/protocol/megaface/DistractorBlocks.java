package io.facex.protocol.megaface;

import java.util.ArrayList;
import java.util.List;

/**
 * How the distractor list is cut into blocks for the search: consecutive runs of at most
 * {@code blockSize} list entries that never straddle a prefix boundary, so every block belongs to
 * exactly one segment of the list and one pass reports several distractor counts.
 *
 * <p>Blocks are not stored: a search worker copies a block's features from the {@link Source} into its
 * own buffer just before scoring it, and every block is scored once (against all probes), so the only
 * copy of the distractors is the caller's (the platform's feature set) — no second 2 GB for 1M × 512.
 * The buffer is dimension-major ({@code rows[k][j]} is component k of the block's distractor j), which
 * makes the score kernel's inner loop run over distractors (see {@link ScoreKernel}). One array per
 * component rather than one per block: C2 (JDK 17) does not vectorise a loop that reads one array at
 * several loop-invariant offsets ({@code d[o0 + j]}, {@code d[o1 + j]}) — measured 6.5 against 43 GFLOP/s
 * for the same loop over separate arrays.
 */
final class DistractorBlocks {

    /** The distractors by list index; null for one without a feature. Called by several threads. */
    interface Source {
        float[] feature(int index);
    }

    final int dim;
    final int blockSize;
    /** Per block: its first list index, its number of list entries, its segment. */
    final int[] start;
    final int[] length;
    final int[] segment;
    final int segments;

    private DistractorBlocks(int dim, int blockSize, List<int[]> blocks, int segments) {
        this.dim = dim;
        this.blockSize = blockSize;
        this.start = new int[blocks.size()];
        this.length = new int[blocks.size()];
        this.segment = new int[blocks.size()];
        for (int b = 0; b < blocks.size(); b++) {
            start[b] = blocks.get(b)[0];
            length[b] = blocks.get(b)[1];
            segment[b] = blocks.get(b)[2];
        }
        this.segments = segments;
    }

    /**
     * @param prefixes the distractor counts to report, strictly ascending; segment s is list entries
     *                 [prefixes[s−1], prefixes[s])
     */
    static DistractorBlocks plan(int dim, int blockSize, int[] prefixes) {
        if (dim <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("dimension and block size must be positive, got " + dim + ", " + blockSize);
        }
        List<int[]> blocks = new ArrayList<>();
        int from = 0;
        for (int s = 0; s < prefixes.length; s++) {
            if (prefixes[s] < from) {
                throw new IllegalArgumentException("prefixes must ascend: " + java.util.Arrays.toString(prefixes));
            }
            for (int b = from; b < prefixes[s]; b += blockSize) {
                blocks.add(new int[] {b, Math.min(blockSize, prefixes[s] - b), s});
            }
            from = prefixes[s];
        }
        return new DistractorBlocks(dim, blockSize, blocks, prefixes.length);
    }

    int blocks() {
        return start.length;
    }

    /** A buffer {@link #fill} can write any block into. */
    float[][] buffer() {
        return new float[dim][blockSize];
    }

    /**
     * Copies block b's features into {@code rows}, dimension-major, skipping distractors without one.
     *
     * @return how many distractors were copied (the block's scoring length)
     */
    int fill(int b, Source source, float[][] rows) {
        int n = 0;
        for (int i = start[b], end = start[b] + length[b]; i < end; i++) {
            float[] f = source.feature(i);
            if (f == null) {
                continue;
            }
            if (f.length != dim) {
                throw new IllegalArgumentException("distractor " + i + " has " + f.length + " values, expected " + dim);
            }
            for (int k = 0; k < dim; k++) {
                rows[k][n] = f[k];
            }
            n++;
        }
        return n;
    }
}
