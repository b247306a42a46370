package io.facex.protocol.megaface;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The CMC curves (rank-N accuracy per distractor count) as a CSV table and a PNG plot. */
final class CmcReport {

    private CmcReport() {
    }

    /**
     * Writes {@code <name>_cmc.csv} (a row per rank, a column per distractor count) and
     * {@code <name>_cmc.png} into {@code dir}.
     *
     * @return the files, by description, for {@code ProtocolResult.artifacts}
     */
    static Map<String, Path> write(Path dir, String name, int[] counts, List<RankN.Counts> cmc, int maxRank)
            throws IOException {
        Files.createDirectories(dir);
        String base = name.toLowerCase(Locale.ROOT).replace('-', '_') + "_cmc";
        Path csv = dir.resolve(base + ".csv");
        StringBuilder s = new StringBuilder("rank");
        for (int n : counts) {
            s.append(",distractors_").append(n);
        }
        s.append('\n');
        for (int r = 1; r <= maxRank; r++) {
            s.append(r);
            for (RankN.Counts c : cmc) {
                s.append(',').append(String.format(Locale.ROOT, "%.6f", c.accuracy(r)));
            }
            s.append('\n');
        }
        s.append("pairs");
        for (RankN.Counts c : cmc) {
            s.append(',').append(c.pairs());
        }
        s.append('\n');
        Files.writeString(csv, s, StandardCharsets.UTF_8);

        Path png = dir.resolve(base + ".png");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(name + " identification (CMC)")
                .xAxisTitle("rank").yAxisTitle("identification rate").build();
        double[] x = new double[maxRank];
        for (int r = 1; r <= maxRank; r++) {
            x[r - 1] = r;
        }
        for (int i = 0; i < counts.length; i++) {
            double[] y = new double[maxRank];
            for (int r = 1; r <= maxRank; r++) {
                double a = cmc.get(i).accuracy(r);
                // XChart refuses NaN; an empty protocol plots at 0 and the CSV says NaN
                y[r - 1] = Double.isNaN(a) ? 0 : a;
            }
            chart.addSeries(String.format(Locale.ROOT, "%,d distractors", counts[i]), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("#");
        BitmapEncoder.saveBitmap(chart, png.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);

        Map<String, Path> out = new LinkedHashMap<>();
        out.put("CMC table (CSV)", csv);
        out.put("CMC plot (PNG)", png);
        return out;
    }
}
