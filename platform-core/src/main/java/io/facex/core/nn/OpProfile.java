package io.facex.core.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facex.core.jobs.Table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of a profiled run went, per libtorch op: a Chrome trace ({@link Djl#profile}) summed
 * by op name over self time, i.e. an event's duration less that of the events nested in it on its
 * thread (aten::conv2d holds aten::convolution holds the kernel's op), so that nothing counts twice.
 */
public final class OpProfile {

    /** One op: calls, self time in milliseconds, and its share of all self time. */
    public record Op(String name, long calls, double selfMillis, double share) {
    }

    private OpProfile() {
    }

    public static List<Op> read(Path trace) throws IOException {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<double[]>> byThread = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        List<String> nameList = new ArrayList<>();
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText()) || !e.has("dur")) {
                continue;
            }
            String name = e.path("name").asText();
            int id = names.size();
            names.put(id, name);
            nameList.add(name);
            byThread.computeIfAbsent(e.path("pid").asText() + "/" + e.path("tid").asText(), k -> new ArrayList<>())
                    .add(new double[] {e.path("ts").asDouble(), e.path("dur").asDouble(), id});
        }
        Map<String, double[]> totals = new HashMap<>();
        double all = 0;
        for (List<double[]> list : byThread.values()) {
            // outer events first: by start, then the longer one
            list.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparing(a -> -a[1]));
            double[] self = new double[list.size()];
            Deque<Integer> open = new ArrayDeque<>();
            for (int i = 0; i < list.size(); i++) {
                double[] e = list.get(i);
                while (!open.isEmpty() && list.get(open.peek())[0] + list.get(open.peek())[1] <= e[0]) {
                    open.pop();
                }
                if (!open.isEmpty()) {
                    self[open.peek()] -= e[1];
                }
                self[i] += e[1];
                open.push(i);
            }
            for (int i = 0; i < list.size(); i++) {
                double[] t = totals.computeIfAbsent(nameList.get((int) list.get(i)[2]), k -> new double[2]);
                t[0]++;
                t[1] += self[i];
                all += self[i];
            }
        }
        List<Op> ops = new ArrayList<>();
        for (Map.Entry<String, double[]> t : totals.entrySet()) {
            ops.add(new Op(t.getKey(), (long) t.getValue()[0], t.getValue()[1] / 1000, all == 0 ? 0 : t.getValue()[1] / all));
        }
        ops.sort(Comparator.comparingDouble(Op::selfMillis).reversed());
        return ops;
    }

    /** The {@code top} ops by self time, and the rest in one row. */
    public static Table table(List<Op> ops, int top) {
        Table t = new Table("op", "calls", "self ms", "share");
        double restMs = 0;
        double restShare = 0;
        long restCalls = 0;
        for (int i = 0; i < ops.size(); i++) {
            Op o = ops.get(i);
            if (i < top) {
                t.add(o.name(), Long.toString(o.calls()), String.format(Locale.ROOT, "%.1f", o.selfMillis()),
                        String.format(Locale.ROOT, "%.1f %%", 100 * o.share()));
            } else {
                restMs += o.selfMillis();
                restShare += o.share();
                restCalls += o.calls();
            }
        }
        if (ops.size() > top) {
            t.add("(" + (ops.size() - top) + " other ops)", Long.toString(restCalls), String.format(Locale.ROOT, "%.1f", restMs),
                    String.format(Locale.ROOT, "%.1f %%", 100 * restShare));
        }
        return t;
    }
}
