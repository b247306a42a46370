package io.facex.core.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a timing needs beside itself on a shared machine (Linux {@code /proc}): the CPU time other
 * processes took meanwhile, the first thing to check when a figure looks off on 2 cores, and this
 * process's peak resident memory.
 */
public final class MachineLoad {

    private final long[] start = read();
    private final long startNs = System.nanoTime();

    /** Starts measuring now. */
    public MachineLoad() {
    }

    /** Percent of one core used by other processes since construction (clock ticks are 1/100 s on Linux). */
    public double otherProcessesPercent() {
        long[] end = read();
        double seconds = (System.nanoTime() - startNs) / 1e9;
        double otherTicks = (end[0] - start[0]) - (end[1] - start[1]);
        return Math.max(0, otherTicks / 100.0 / seconds * 100);
    }

    /** "peak RSS 4.80 GB; other processes used 3% of one core meanwhile". */
    public String describe() {
        long rss = peakRss();
        return (rss < 0 ? "" : String.format(Locale.ROOT, "peak RSS %.2f GB; ", rss / 1e9))
                + String.format(Locale.ROOT, "other processes used %.0f%% of one core meanwhile", otherProcessesPercent());
    }

    /**
     * Makes the peak resident memory count from now: a benchmark calls it once its set-up (say, writing a
     * synthetic image set) is done, so that the peak is the measured work's. glibc is first asked to hand
     * the set-up's freed memory back (bin/facex's settings never trim on their own), then the kernel's
     * high-water mark is reset to the current resident size. Where either is missing (not glibc, not
     * Linux) the peak simply keeps counting from the start; returns whether the reset happened.
     */
    public static boolean startPeakHere() {
        try {
            com.sun.jna.NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0});
        } catch (RuntimeException | LinkageError e) {
            // not glibc: nothing to hand back this way
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // 5: reset VmHWM (proc(5))
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Peak resident memory of this process (VmHWM), or -1 where /proc is missing. */
    public static long peakRss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long[] read() {
        try {
            String[] all = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < all.length; i++) {
                if (i != 4 && i != 5) { // idle and iowait
                    busy += Long.parseLong(all[i]);
                }
            }
            String[] self = Files.readString(Path.of("/proc/self/stat")).split("\\)")[1].trim().split("\\s+");
            long own = Long.parseLong(self[11]) + Long.parseLong(self[12]);
            return new long[] {busy, own};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
