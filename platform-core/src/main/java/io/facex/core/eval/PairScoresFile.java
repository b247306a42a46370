package io.facex.core.eval;

import io.facex.api.ProtocolResult;
import io.facex.core.jobs.Table;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code scores.csv} of {@code facex eval}: every verification pair of every model, one row each, written
 * as each protocol finishes (a run that stops keeps what it scored). A pair skipped because an image has
 * no feature is a row with an empty score. Created with the first pair; a run without pairs (MegaFace
 * only) leaves no file, and an earlier run's file is removed so it cannot pass for this run's.
 */
final class PairScoresFile implements Closeable {

    static final String[] HEADER = {"model", "benchmark", "image1", "image2", "label", "score"};

    private final Path file;
    private BufferedWriter writer;
    private int rows;
    private int skipped;

    PairScoresFile(Path file) throws IOException {
        this.file = file;
        Files.deleteIfExists(file);
    }

    /** Appends a model's pairs from one protocol. */
    void add(String model, List<ProtocolResult.PairScore> pairs) throws IOException {
        if (pairs.isEmpty()) {
            return;
        }
        if (writer == null) {
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            writer.write(Table.csvRow((Object[]) HEADER));
        }
        for (ProtocolResult.PairScore p : pairs) {
            writer.write(Table.csvRow(model, p.benchmark(), p.image1(), p.image2(), p.same() ? 1 : 0,
                    p.scored() ? format(p.score()) : ""));
            rows++;
            if (!p.scored()) {
                skipped++;
            }
        }
        writer.flush();
    }

    Path file() {
        return file;
    }

    /** Rows written so far. */
    int rows() {
        return rows;
    }

    /** Rows without a score. */
    int skipped() {
        return skipped;
    }

    /**
     * The shortest decimal that reads back as the same value, never in exponent notation; a float32
     * score (FaceX-Zoo's cosine) as its float digits ({@code 0.1f} is {@code 0.1}, not
     * {@code 0.10000000149011612}).
     */
    static String format(double score) {
        float f = (float) score;
        BigDecimal exact = f == score ? new BigDecimal(Float.toString(f)) : BigDecimal.valueOf(score);
        return exact.stripTrailingZeros().toPlainString();
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
