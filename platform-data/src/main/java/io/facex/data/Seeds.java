package io.facex.data;

import java.util.SplittableRandom;

/**
 * Independent random streams from a seed and coordinates (epoch, sample, ...), so a sample's random
 * numbers depend on what it is, never on which thread got to it first.
 */
public final class Seeds {

    private Seeds() {
    }

    /** A generator for {@code (seed, keys...)}; different key tuples give unrelated streams. */
    public static SplittableRandom random(long seed, long... keys) {
        return new SplittableRandom(mix(seed, keys));
    }

    /** Folds the keys into the seed with SplitMix64's finaliser, one key at a time. */
    public static long mix(long seed, long... keys) {
        long h = fmix(seed ^ 0x9E3779B97F4A7C15L);
        for (long k : keys) {
            h = fmix(h + 0x9E3779B97F4A7C15L + fmix(k));
        }
        return h;
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
