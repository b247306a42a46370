package io.facex.nn;

import io.facex.api.InvalidConfigException;
import io.facex.api.TrainingPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * The options every FaceX-Zoo training script shares — SGD with momentum and weight decay, a learning
 * rate divided by ten at each milestone epoch — read and checked in one place, with FaceX-Zoo's key names.
 */
public final class SgdSchedule {

    private SgdSchedule() {
    }

    /** The milestones of FaceX-Zoo's {@code step} option ("2,5,7"); empty for none. */
    public static List<Integer> milestones(String step) {
        List<Integer> out = new ArrayList<>();
        if (step == null || step.isBlank()) {
            return out;
        }
        try {
            for (String s : step.split(",")) {
                int m = Integer.parseInt(s.trim());
                if (m < 0) {
                    throw new InvalidConfigException("step", "milestones are epochs ≥ 0, got " + m);
                }
                out.add(m);
            }
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("step", "expected comma-separated epochs like \"2,5,7\", got '" + step + "'");
        }
        return out;
    }

    /** Checks the shared keys, naming the first that is wrong. */
    public static void validate(double lr, int epoches, String step, double momentum, double weightDecay, int batchSize,
                                int minBatch, int printFreq, int saveFreq, long seed) {
        if (!(lr > 0)) {
            throw new InvalidConfigException("lr", "must be positive, got " + lr);
        }
        if (epoches < 1) {
            throw new InvalidConfigException("epoches", "must be at least 1, got " + epoches);
        }
        milestones(step);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidConfigException("momentum", "must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new InvalidConfigException("weight_decay", "must be ≥ 0, got " + weightDecay);
        }
        if (batchSize < minBatch) {
            throw new InvalidConfigException("batch_size", "must be at least " + minBatch + ", got " + batchSize);
        }
        if (printFreq < 1) {
            throw new InvalidConfigException("print_freq", "must be at least 1, got " + printFreq);
        }
        if (saveFreq < 1) {
            throw new InvalidConfigException("save_freq", "must be at least 1, got " + saveFreq);
        }
        if (seed < 0 || seed > TrainingPlan.MAX_SEED) {
            throw new InvalidConfigException("seed", "must be in [0, " + TrainingPlan.MAX_SEED + "], got " + seed);
        }
    }
}
