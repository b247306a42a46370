package io.facex.protocol.verification;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The ROC curve of cosine scores: for each distinct score taken as the threshold, the fraction of
 * same-person pairs above it (TAR) against the fraction of different-person pairs above it (FAR).
 */
public final class Roc {

    private final double[] positives; // ascending
    private final double[] negatives; // ascending

    private Roc(double[] positives, double[] negatives) {
        this.positives = positives;
        this.negatives = negatives;
    }

    public static Roc of(float[] scores, boolean[] same) {
        double[][] split = SortedScores.byLabel(scores, same, null, -1);
        return new Roc(split[0], split[1]);
    }

    /**
     * TAR at the threshold that lets through at most {@code far} of the different-person pairs (the
     * ⌊far·N⌋-th highest of them is the threshold; a pair must score strictly above it); NaN when there
     * are too few different-person pairs for that rate (far·N &lt; 1) or no same-person pairs.
     */
    public double tarAt(double far) {
        int n = negatives.length;
        int allowed = (int) Math.floor(far * n + 1e-9);
        if (allowed < 1 || positives.length == 0) {
            return Double.NaN;
        }
        double threshold = negatives[n - 1 - allowed];
        return (double) (positives.length - SortedScores.atMost(positives, threshold)) / positives.length;
    }

    /** (FAR, TAR) at every distinct score, from the strictest threshold down. */
    public List<double[]> points() {
        double[] all = new double[positives.length + negatives.length];
        System.arraycopy(positives, 0, all, 0, positives.length);
        System.arraycopy(negatives, 0, all, positives.length, negatives.length);
        Arrays.sort(all);
        List<double[]> out = new ArrayList<>();
        double last = Double.NaN;
        for (int i = all.length - 1; i >= 0; i--) {
            if (all[i] == last) {
                continue;
            }
            last = all[i];
            double t = all[i];
            // "above t" for t just below this score: everything ≥ t
            out.add(new double[] {(double) (negatives.length - SortedScores.below(negatives, t)) / Math.max(1, negatives.length),
                    (double) (positives.length - SortedScores.below(positives, t)) / Math.max(1, positives.length), t});
        }
        return out;
    }

    public Path csv(Path file) throws IOException {
        StringBuilder s = new StringBuilder("far,tar,threshold\n");
        for (double[] p : points()) {
            s.append(String.format(Locale.ROOT, "%.8g,%.8g,%.8g%n", p[0], p[1], p[2]));
        }
        Files.writeString(file, s, StandardCharsets.UTF_8);
        return file;
    }

    /** A PNG with FAR on a log axis (where the operating points of face verification live). */
    public Path plot(Path file, String title) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        double floor = 1.0 / Math.max(1, negatives.length);
        for (double[] p : points()) {
            if (p[0] > 0) {
                x.add(Math.max(p[0], floor));
                y.add(p[1]);
            }
        }
        if (x.isEmpty()) { // perfectly separated: one point at the smallest measurable FAR
            x.add(floor);
            y.add(1.0);
        }
        XYChart chart = new XYChartBuilder().width(640).height(480).title(title + " ROC")
                .xAxisTitle("false accept rate").yAxisTitle("true accept rate").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.addSeries("ROC", x, y).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file.toString().endsWith(".png") ? file : Path.of(file + ".png");
    }

    static String format(double far) {
        return String.format(Locale.ROOT, "%.0e", far).replace("e-0", "e-");
    }
}
