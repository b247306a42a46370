package io.facex.core.sdk;

import io.facex.core.jobs.Jobs;
import io.facex.core.jobs.Progress;
import me.tongfei.progressbar.ProgressBar;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One task per photo on a few threads behind a progress bar, as {@code align} and {@code addmask} run:
 * a photo that cannot be done is skipped with its reason and the batch goes on; Ctrl-C stops taking new
 * photos.
 */
final class PhotoBatch {

    /** One photo's work: null when done, else why it was skipped. Any exception it throws stops the batch. */
    interface Work {
        String run(int index, String path) throws Exception;
    }

    /** What a batch did: how many photos were done, the skipped ones ("path TAB reason", sorted), the rate. */
    record Outcome(int done, List<String> skipped, double imagesPerSecond) {
    }

    private PhotoBatch() {
    }

    static Outcome run(String task, List<String> paths, int workers, PrintStream console, boolean interactive, Work work)
            throws Exception {
        List<String> skipped = Collections.synchronizedList(new ArrayList<>());
        int[] done = new int[1];
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers));
        try (ProgressBar bar = Progress.bar(task, paths.size(), 0, " images", console, interactive)) {
            List<Future<Boolean>> tasks = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                int index = i;
                tasks.add(pool.submit(() -> {
                    if (Jobs.stopRequested()) {
                        return false;
                    }
                    String reason = work.run(index, paths.get(index));
                    if (reason != null) {
                        skipped.add(paths.get(index) + "\t" + reason);
                    }
                    bar.step();
                    return reason == null;
                }));
            }
            for (Future<Boolean> t : tasks) {
                try {
                    done[0] += t.get() ? 1 : 0;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> sorted = new ArrayList<>(skipped);
        Collections.sort(sorted);
        return new Outcome(done[0], List.copyOf(sorted), paths.size() / ((System.nanoTime() - start) / 1e9));
    }
}
