package io.facex.testkit;

import java.nio.ByteBuffer;

/**
 * Frees what the garbage collector can free and overwrites freed native memory, between a forward and a
 * backward pass: a graph that kept a tensor over a Java buffer (DJL's {@code mul(Number)} and kin) then
 * computes its gradient from garbage, which the contracts detect.
 */
final class GarbageChurn {

    private GarbageChurn() {
    }

    static void run() {
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 2000; k++) {
                ByteBuffer.allocateDirect(64).putFloat(0, 1e30f).putFloat(4, Float.NaN);
            }
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (int k = 0; k < 2000; k++) {
            ByteBuffer.allocateDirect(64).putFloat(0, 1e30f).putFloat(4, Float.NaN);
        }
    }
}
