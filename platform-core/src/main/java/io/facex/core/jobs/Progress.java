package io.facex.core.jobs;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;

/**
 * The progress bar of long commands: rate and ETA, redrawn in place on a terminal, or printed as a line
 * every ten seconds when the output goes to a file or a pipe (a log should not fill with redraws).
 */
public final class Progress {

    private Progress() {
    }

    /** A bar counting {@code unit}s (with a leading space, e.g. " steps") from {@code start} to {@code total}. */
    public static ProgressBar bar(String task, long total, long start, String unit, PrintStream console, boolean interactive) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(start, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(unit, 1)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(interactive ? 500 : 10_000)
                .continuousUpdate();
        b.setConsumer(interactive ? new ConsoleProgressBarConsumer(console, 120)
                : new DelegatingProgressBarConsumer(console::println, 120));
        return b.build();
    }
}
