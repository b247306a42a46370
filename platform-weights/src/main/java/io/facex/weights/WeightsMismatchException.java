package io.facex.weights;

/** A state dict that does not fit a block; {@link #report()} lists every offending key. */
public class WeightsMismatchException extends WeightsException {

    private static final long serialVersionUID = 1L;

    private final transient LoadReport report;

    public WeightsMismatchException(LoadReport report) {
        super(report.describe());
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }
}
