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
 */
public record ProtocolResult(List<Score> scores, Map<String, Integer> skipped, Map<String, Path> artifacts) {

    /**
     * @param benchmark the benchmark or subset ({@code LFW}, {@code RFW-African})
     * @param metric    {@code accuracy}, {@code rank-1}, {@code TAR@FAR=1e-3}, ...
     * @param value     the value, a fraction for rates
     * @param stdError  standard error over folds, or NaN where there are no folds
     */
    public record Score(String benchmark, String metric, double value, double stdError) {
    }
}
