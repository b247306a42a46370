package io.facex.tools;

import io.facex.api.InvalidConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the benchmarks share: their options' range checks and their scratch folders. */
final class Checks {

    private Checks() {
    }

    /** Timed runs at least one, warm-up runs none or more. */
    static void runs(int warmup, int reps) {
        atLeast("warmup", warmup, 0);
        positive("reps", reps);
    }

    static void positive(String key, int value) {
        atLeast(key, value, 1);
    }

    static void atLeast(String key, int value, int min) {
        if (value < min) {
            throw new InvalidConfigException(key, "must be at least " + min + ", got " + value);
        }
    }

    /** Removes a benchmark's scratch folder and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
