package io.facex.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@link TestProtocol} measured.
 *
 * @param scores    one row per benchmark subset and metric (RFW reports its four races separately)
 * @param skipped   how many pairs or probes could not be scored, by reason
 * @param artifacts files written beside the result (ROC plots, CMC tables), by description
 * @param pairs     a verification protocol's every pair, in the order of its lists, the skipped ones
 *                  included (without a score); empty for protocols without pairs (MegaFace). Never null.
 * @since 1.1
 */
public record ProtocolResult(List<Score> scores, Map<String, Integer> skipped, Map<String, Path> artifacts,
                            List<PairScore> pairs) {

    public ProtocolResult {
        pairs = pairs == null ? List.of() : pairs;
    }

    /** A result without per-pair scores, as an identification protocol (MegaFace) reports. */
    public ProtocolResult(List<Score> scores, Map<String, Integer> skipped, Map<String, Path> artifacts) {
        this(scores, skipped, artifacts, List.of());
    }

    /**
     * @param benchmark the benchmark or subset ({@code LFW}, {@code RFW-African})
     * @param metric    {@code accuracy}, {@code rank-1}, {@code TAR@FAR=1e-3}, ...
     * @param value     the value, a fraction for rates
     * @param stdError  standard error over folds, or NaN where there are no folds
     */
    public record Score(String benchmark, String metric, double value, double stdError) {
    }

    /**
     * One verification pair and its score.
     *
     * @param benchmark the benchmark or subset, as in {@link Score#benchmark()}
     * @param image1    the first image, as the protocol asked {@link FeatureLookup#feature} for it (relative to
     *                  the protocol's image folder, or absolute)
     * @param image2    the second image, likewise
     * @param same      whether the benchmark's list says the two show the same identity
     * @param score     the similarity the protocol's metrics were computed from (FaceX-Zoo's protocols: the
     *                  float32 cosine of the normalised features), or NaN when the pair was skipped because
     *                  an image has no feature
     * @since 1.1
     */
    public record PairScore(String benchmark, String image1, String image2, boolean same, double score) {

        /** Whether the pair has a score, i.e. was not skipped. */
        public boolean scored() {
            return !Double.isNaN(score);
        }
    }
}
