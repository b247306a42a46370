package io.facex.core.train;

import io.facex.api.TrainingListener;
import io.facex.api.TrainingSummary;
import io.facex.data.DataException;
import me.tongfei.progressbar.ProgressBar;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything a person watches or reads about a training job: a progress bar with rate, loss, learning
 * rate and ETA (me.tongfei:progressbar), a log file, a CSV of every print step, the images skipped, and
 * at the end a PNG of loss and learning rate against the step (XChart). A resumed job continues all of
 * them: the CSV keeps the rows up to the checkpoint's step, so the plot shows the whole run.
 */
public final class TrainingReport implements TrainingListener, DataLog, AutoCloseable {

    /** File names in the output folder. */
    public static final String LOG = "train.log";
    public static final String CSV = "train_loss.csv";
    public static final String PLOT = "train_loss.png";
    public static final String SKIPPED = "skipped.txt";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String CSV_HEADER = "step,epoch,batch,loss,lr,images_per_second";
    /** Lists shorter than this are checked too fast for a bar to say anything. */
    private static final long CHECK_BAR_FROM = 10_000;

    private final Path dir;
    private final long startStep;
    private final PrintStream console;
    private final boolean interactive;
    private final BufferedWriter log;
    private final BufferedWriter csv;
    private final Set<String> skipped = new LinkedHashSet<>();
    private final List<double[]> points = new ArrayList<>();
    private ProgressBar bar;
    private ProgressBar checkBar;

    /**
     * @param startStep   steps already done (a resumed job; 0 starts the CSV and skipped list afresh)
     * @param console     where the bar and messages go
     * @param interactive redraw one line in place (a terminal) instead of printing a line per update
     */
    public TrainingReport(Path dir, long startStep, PrintStream console, boolean interactive) throws IOException {
        this.dir = dir;
        this.startStep = startStep;
        this.console = console;
        this.interactive = interactive;
        StandardOpenOption[] append = {StandardOpenOption.CREATE, StandardOpenOption.APPEND};
        this.log = Files.newBufferedWriter(dir.resolve(LOG), StandardCharsets.UTF_8, append);
        Path csvFile = dir.resolve(CSV);
        List<String> kept = startStep > 0 ? rowsUpTo(csvFile, startStep) : List.of();
        // Rows past the checkpoint were trained again after it: they are dropped, not duplicated.
        Path tmp = dir.resolve(CSV + ".tmp");
        Files.write(tmp, kept.isEmpty() ? List.of(CSV_HEADER) : kept, StandardCharsets.UTF_8);
        Files.move(tmp, csvFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        this.csv = Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8, append);
        Path skippedFile = dir.resolve(SKIPPED);
        if (startStep > 0 && Files.exists(skippedFile)) {
            for (String line : Files.readAllLines(skippedFile, StandardCharsets.UTF_8)) {
                skipped.add(skipKey(line));
            }
        } else {
            Files.deleteIfExists(skippedFile);
        }
    }

    /** The CSV's header and rows up to {@code step}, their points kept for the plot. */
    private List<String> rowsUpTo(Path file, long step) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> rows = new ArrayList<>();
        rows.add(CSV_HEADER);
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split(",");
            if (f.length < 5 || !f[0].matches("\\d+") || Long.parseLong(f[0]) > step) {
                continue;
            }
            try {
                points.add(new double[] {Long.parseLong(f[0]), Double.parseDouble(f[3]), Double.parseDouble(f[4])});
                rows.add(line);
            } catch (NumberFormatException e) {
                // a half-written last row of a killed run: dropped with the rest past the checkpoint
            }
        }
        return rows;
    }

    /** Starts the bar once the job's length is known: {@code totalSteps} optimiser steps in all. */
    public void begin(long totalSteps) {
        closeCheckBar();
        bar = io.facex.core.jobs.Progress.bar("train", totalSteps, startStep, " steps", console, interactive);
    }

    @Override
    public void plannedSteps(long total) {
        if (bar != null && bar.getMax() != total) {
            bar.maxHint(total);
        }
    }

    @Override
    public void checking(String task, long done, long total) {
        if (total < CHECK_BAR_FROM) {
            return;
        }
        if (checkBar == null) {
            checkBar = io.facex.core.jobs.Progress.bar(task, total, 0, " images", console, interactive);
        }
        checkBar.stepTo(done);
        if (done >= total) {
            closeCheckBar();
        }
    }

    private void closeCheckBar() {
        if (checkBar != null) {
            checkBar.close();
            checkBar = null;
        }
    }

    /** Names a skipped image in the log and in {@link #SKIPPED} the first time it is skipped in this job. */
    @Override
    public synchronized void skipped(DataException problem) {
        String text = problem.getMessage();
        if (!skipped.add(skipKey(text))) {
            return;
        }
        line("skipped " + text);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(SKIPPED), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(text.replace('\n', ' ') + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir.resolve(SKIPPED) + ": " + e.getMessage(), e);
        }
    }

    /** Images skipped in this job, each counted once however many epochs met it. */
    public synchronized int skippedCount() {
        return skipped.size();
    }

    /** {@code list.txt:12}: an entry is known by its place in the list. */
    private static String skipKey(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*?:\\d+): ").matcher(text);
        return m.find() ? m.group(1) : text;
    }

    /** A job that stops on an error says so in the log too, where a later reader looks. */
    public void failed(String message) {
        try {
            line("failed: " + message);
        } catch (IllegalStateException e) {
            // The log cannot be written (a full disk, say): the error the user must see is the original one.
        }
    }

    @Override
    public void progress(int epoch, int batch, int batchesPerEpoch, long step, double loss, double lr, double imagesPerSecond) {
        bar.stepTo(step);
        bar.setExtraMessage(String.format(Locale.ROOT, " | epoch %d loss %.4f lr %.3g %.0f img/s", epoch, loss, lr, imagesPerSecond));
        points.add(new double[] {step, loss, lr});
        line(String.format(Locale.ROOT, "epoch %d batch %d/%d step %d loss %.6f lr %.6g %.1f images/s",
                epoch, batch, batchesPerEpoch, step, loss, lr, imagesPerSecond));
        try {
            csv.write(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.6g,%.2f%n", step, epoch, batch, loss, lr, imagesPerSecond));
            csv.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir.resolve(CSV) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkpoint(Path file) {
        line("checkpoint " + file);
    }

    @Override
    public void message(String text) {
        line(text);
        console.println(text);
    }

    @Override
    public void finished(TrainingSummary summary) {
        bar.stepTo(summary.steps());
        line(String.format(Locale.ROOT, "finished: %d epochs, %d steps, loss %.4f -> %.4f, last checkpoint %s",
                summary.epochs(), summary.steps(), summary.firstLoss(), summary.lastLoss(), summary.lastCheckpoint()));
        if (!points.isEmpty()) {
            try {
                plot(dir.resolve(PLOT));
            } catch (IOException e) {
                line("could not draw " + PLOT + ": " + e.getMessage());
            }
        }
    }

    /** Loss (left axis) and learning rate (right axis) against the step. */
    private void plot(Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title("Training loss and learning rate")
                .xAxisTitle("step").yAxisTitle("loss").build();
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        XYSeries loss = chart.addSeries("loss", x, points.stream().mapToDouble(p -> p[1]).toArray());
        loss.setMarker(SeriesMarkers.NONE);
        XYSeries lr = chart.addSeries("learning rate", x, points.stream().mapToDouble(p -> p[2]).toArray());
        lr.setMarker(SeriesMarkers.NONE);
        lr.setYAxisGroup(1);
        chart.setYAxisGroupTitle(1, "learning rate");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        // Written to a file, not a stream: ImageIO buffers a stream through a temporary file whose cleanup it
        // registers as a shutdown hook, which throws once Ctrl-C has started the JVM's shutdown, the very
        // moment a stopped job draws its plot. Through a sibling file and a move, so a failure never leaves
        // a truncated PNG behind.
        Path part = png.resolveSibling(png.getFileName() + ".part");
        try {
            if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", part.toFile())) {
                throw new IOException("no PNG writer in this Java runtime");
            }
            Files.move(part, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private void line(String text) {
        try {
            log.write(LocalDateTime.now().format(TIME) + " " + text + "\n");
            log.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir.resolve(LOG) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        closeCheckBar();
        if (bar != null) {
            bar.close();
        }
        log.close();
        csv.close();
    }
}
