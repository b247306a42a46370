package io.facex.core.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small result table rendered as aligned text, Markdown, CSV or JSON (the formats results come in). */
public final class Table {

    /** Output formats of {@link #render}. */
    public enum Format {
        TEXT, MD, CSV, JSON;

        /** Parses a {@code --format} value. */
        public static Format parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown format '" + s + "'; use text, md, csv or json");
            }
        }
    }

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table add(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.size());
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(c == null ? "" : c.toString());
        }
        rows.add(row);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public String render(Format format) {
        return switch (format) {
            case TEXT -> text();
            case MD -> markdown();
            case CSV -> csv();
            case JSON -> json();
        };
    }

    private int[] widths(List<List<String>> body) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : body) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        return w;
    }

    private String text() {
        int[] w = widths(rows);
        StringBuilder sb = new StringBuilder();
        line(sb, header.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList(), w, "", "  ", "");
        for (List<String> r : rows) {
            line(sb, r, w, "", "  ", "");
        }
        return sb.toString();
    }

    private String markdown() {
        List<List<String>> body = rows.stream().map(r -> r.stream().map(c -> c.replace("|", "\\|")).toList()).toList();
        int[] w = widths(body);
        StringBuilder sb = new StringBuilder();
        line(sb, header, w, "| ", " | ", " |");
        List<String> rule = new ArrayList<>();
        for (int x : w) {
            rule.add("-".repeat(Math.max(3, x)));
        }
        line(sb, rule, w, "| ", " | ", " |");
        for (List<String> r : body) {
            line(sb, r, w, "| ", " | ", " |");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w, String open, String sep, String close) {
        sb.append(open);
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(sep);
            }
            boolean last = i == cells.size() - 1 && close.isEmpty();
            sb.append(last ? cells.get(i) : String.format("%-" + w[i] + "s", cells.get(i)));
        }
        sb.append(close).append('\n');
    }

    private String csv() {
        StringBuilder sb = new StringBuilder(csvRow(header.toArray()));
        for (List<String> r : rows) {
            sb.append(csvRow(r.toArray()));
        }
        return sb.toString();
    }

    /**
     * One CSV record (RFC 4180) ending in a newline: a cell holding a comma, quote or line break is
     * quoted, its quotes doubled; null is an empty cell. For files written row by row.
     */
    public static String csvRow(Object... cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells[i] == null ? "" : cells[i].toString();
            boolean quote = c.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r');
            sb.append(quote ? '"' + c.replace("\"", "\"\"") + '"' : c);
        }
        return sb.append('\n').toString();
    }

    private String json() {
        ObjectMapper m = new ObjectMapper();
        ArrayNode arr = m.createArrayNode();
        for (List<String> r : rows) {
            ObjectNode o = arr.addObject();
            for (int i = 0; i < header.size(); i++) {
                o.put(header.get(i), r.get(i));
            }
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(arr) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
