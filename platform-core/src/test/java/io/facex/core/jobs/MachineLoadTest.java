package io.facex.core.jobs;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineLoadTest {

    /**
     * A benchmark's set-up must not count in the peak it reports: 256 MB touched and freed before
     * {@link MachineLoad#startPeakHere()} leave the high-water mark, and after it the peak is back near
     * the resident size of the moment.
     */
    @Test
    void startPeakHereForgetsWhatWasFreedBefore() {
        Assumptions.assumeTrue(Files.isWritable(Path.of("/proc/self/clear_refs")), "no /proc/self/clear_refs here");
        long size = 256L << 20;
        Memory block = new Memory(size);
        for (long i = 0; i < size; i += 4096) {
            block.setByte(i, (byte) 1);
        }
        long withBlock = MachineLoad.peakRss();
        block.close();
        assertTrue(MachineLoad.startPeakHere());
        long after = MachineLoad.peakRss();
        assertTrue(after < withBlock - (128L << 20), "peak " + withBlock + " B with the block, " + after + " B after the reset");
    }
}
