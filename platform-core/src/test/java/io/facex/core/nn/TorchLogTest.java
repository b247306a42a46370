package io.facex.core.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TorchLogTest {

    @Test
    void levelsAreSpelledAsTorchCppLogLevelSpellsThem() {
        assertEquals(0, TorchLog.parse("INFO"));
        assertEquals(1, TorchLog.parse("warning"));
        assertEquals(2, TorchLog.parse(" ERROR "));
        assertEquals(3, TorchLog.parse("3"));
        assertEquals(-1, TorchLog.parse("4"));
        assertEquals(-1, TorchLog.parse("WARN"));
    }

    /** The level is written into the libtorch the engine loaded (the flag its C++ logging reads). */
    @Test
    void theConfiguredLevelReachesLibtorch() {
        assumeTrue(System.getenv("TORCH_CPP_LOG_LEVEL") == null, "TORCH_CPP_LOG_LEVEL is set: it would decide");
        Djl.engine();
        int before = TorchLog.current();
        String saved = System.getProperty(TorchLog.PROPERTY);
        try {
            System.setProperty(TorchLog.PROPERTY, "ERROR");
            TorchLog.apply();
            assertEquals(2, TorchLog.current());
            System.setProperty(TorchLog.PROPERTY, "info");
            TorchLog.apply();
            assertEquals(0, TorchLog.current());
            System.setProperty(TorchLog.PROPERTY, "loud"); // refused, with a warning: the level stays
            TorchLog.apply();
            assertEquals(0, TorchLog.current());
        } finally {
            System.setProperty(TorchLog.PROPERTY, TorchLog.LEVELS.get(before));
            TorchLog.apply();
            if (saved == null) {
                System.clearProperty(TorchLog.PROPERTY);
            } else {
                System.setProperty(TorchLog.PROPERTY, saved);
            }
        }
    }
}
