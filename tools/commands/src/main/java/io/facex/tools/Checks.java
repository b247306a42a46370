package io.facex.tools;

import io.facex.api.InvalidConfigException;

/** The range checks the benchmarks' options share. */
final class Checks {

    private Checks() {
    }

    static void positive(String key, int value) {
        atLeast(key, value, 1);
    }

    static void atLeast(String key, int value, int min) {
        if (value < min) {
            throw new InvalidConfigException(key, "must be at least " + min + ", got " + value);
        }
    }
}
