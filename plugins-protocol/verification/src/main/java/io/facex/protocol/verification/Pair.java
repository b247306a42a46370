package io.facex.protocol.verification;

/**
 * One verification pair: two image paths relative to the benchmark's image folder, whether they show
 * the same person, and the fold (0–9) the protocol puts it in.
 */
public record Pair(String image1, String image2, boolean same, int fold) {
}
