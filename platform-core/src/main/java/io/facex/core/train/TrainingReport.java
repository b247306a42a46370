package io.facex.core.train;

import io.facex.api.TrainingListener;
import io.facex.api.TrainingSummary;
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
import java.util.List;
import java.util.Locale;

/**
 * Everything a person watches or reads about a training job: a progress bar with rate, loss, learning
 * rate and ETA (me.tongfei:progressbar), a log file, a CSV of every print step, and at the end a PNG of
 * loss and learning rate against the step (XChart).
 */
public final class TrainingReport implements TrainingListener, AutoCloseable {

    /** File names in the output folder. */
    public static final String LOG = "train.log";
    public static final String CSV = "train_loss.csv";
    public static final String PLOT = "train_loss.png";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Path dir;
    private final PrintStream console;
    private final BufferedWriter log;
    private final BufferedWriter csv;
    private final ProgressBar bar;
    private final List<double[]> points = new ArrayList<>();

    /**
     * @param totalSteps optimiser steps the job will take (for the bar's ETA)
     * @param startStep  steps already done (a resumed job)
     * @param console    where the bar and messages go
     * @param interactive redraw one line in place (a terminal) instead of printing a line per update
     */
    public TrainingReport(Path dir, long totalSteps, long startStep, PrintStream console, boolean interactive) throws IOException {
        this.dir = dir;
        this.console = console;
        StandardOpenOption[] append = {StandardOpenOption.CREATE, StandardOpenOption.APPEND};
        this.log = Files.newBufferedWriter(dir.resolve(LOG), StandardCharsets.UTF_8, append);
        boolean fresh = !Files.exists(dir.resolve(CSV)) || startStep == 0;
        this.csv = Files.newBufferedWriter(dir.resolve(CSV), StandardCharsets.UTF_8, fresh
                ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                : append);
        if (fresh) {
            csv.write("step,epoch,batch,loss,lr,images_per_second\n");
        }
        this.bar = io.facex.core.jobs.Progress.bar("train", totalSteps, startStep, " steps", console, interactive);
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
        bar.close();
        log.close();
        csv.close();
    }
}
