package io.facex.core.train;

import io.facex.data.DataException;

/** What opening and reading the training data tells the job as it goes. */
public interface DataLog {

    /** An image left out ({@code --skip_bad_images}), with its list file and line. */
    void skipped(DataException problem);

    /** Progress of a long check before training: {@code done} of {@code total} entries. */
    void checking(String task, long done, long total);

    /** Tells nothing: for benchmarks and tests that read lists on their own. */
    DataLog NONE = new DataLog() {
        @Override
        public void skipped(DataException problem) {
        }

        @Override
        public void checking(String task, long done, long total) {
        }
    };
}
