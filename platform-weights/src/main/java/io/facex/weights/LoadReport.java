package io.facex.weights;

import java.util.List;

/**
 * What copying a state dict into a block did, by PyTorch key.
 *
 * @param source          the state dict's source (file name)
 * @param loaded          keys copied into the model
 * @param missing         keys the model needs but the checkpoint lacks
 * @param unexpected      checkpoint keys no model parameter maps to ({@code num_batches_tracked} excluded)
 * @param shapeMismatches {@code key: checkpoint (..) vs model (..)} lines
 * @param notMapped       DJL parameter paths the key mapper returned null for (left as initialized)
 */
public record LoadReport(String source, List<String> loaded, List<String> missing, List<String> unexpected,
        List<String> shapeMismatches, List<String> notMapped) {

    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        shapeMismatches = List.copyOf(shapeMismatches);
        notMapped = List.copyOf(notMapped);
    }

    /** True when every model parameter got a value and every checkpoint tensor found a home. */
    public boolean isExact() {
        return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
    }

    /** A multi-line account naming every problem key, for exceptions and logs. */
    public String describe() {
        if (isExact()) {
            return source + ": all " + loaded.size() + " tensors loaded";
        }
        StringBuilder b = new StringBuilder(source).append(" does not fit the model: ")
                .append(missing.size()).append(" missing, ")
                .append(unexpected.size()).append(" unexpected, ")
                .append(shapeMismatches.size()).append(shapeMismatches.size() == 1 ? " shape mismatch" : " shape mismatches");
        if (!missing.isEmpty()) {
            b.append("\n  missing from the checkpoint: ").append(String.join(", ", missing));
        }
        if (!unexpected.isEmpty()) {
            b.append("\n  unexpected in the checkpoint: ").append(String.join(", ", unexpected));
        }
        for (String m : shapeMismatches) {
            b.append("\n  shape mismatch: ").append(m);
        }
        return b.toString();
    }
}
