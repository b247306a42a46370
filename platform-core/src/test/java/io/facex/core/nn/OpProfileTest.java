package io.facex.core.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OpProfileTest {

    /** Nested events count once: a parent's self time excludes its children, per thread. */
    @Test
    void selfTimeExcludesNestedEventsOnTheSameThread(@TempDir Path dir) throws Exception {
        Path trace = Files.writeString(dir.resolve("t.json"), """
                {"traceEvents": [
                  {"ph": "X", "name": "aten::conv2d", "pid": 1, "tid": 1, "ts": 0, "dur": 100},
                  {"ph": "X", "name": "aten::convolution", "pid": 1, "tid": 1, "ts": 5, "dur": 90},
                  {"ph": "X", "name": "aten::mkldnn_convolution", "pid": 1, "tid": 1, "ts": 10, "dur": 70},
                  {"ph": "X", "name": "aten::add", "pid": 1, "tid": 1, "ts": 100, "dur": 15},
                  {"ph": "X", "name": "aten::conv2d", "pid": 1, "tid": 2, "ts": 0, "dur": 30},
                  {"ph": "i", "name": "marker", "pid": 1, "tid": 1, "ts": 3}
                ]}""");
        List<OpProfile.Op> ops = OpProfile.read(trace);
        assertEquals(List.of("aten::mkldnn_convolution", "aten::conv2d", "aten::convolution", "aten::add"),
                ops.stream().map(OpProfile.Op::name).toList());
        assertEquals(0.070, ops.get(0).selfMillis(), 1e-9);
        assertEquals(2, ops.get(1).calls());
        assertEquals(0.010 + 0.030, ops.get(1).selfMillis(), 1e-9);
        assertEquals(0.020, ops.get(2).selfMillis(), 1e-9);
        assertEquals(70.0 / 145, ops.get(0).share(), 1e-9);
        String md = OpProfile.table(ops, 2).render(io.facex.core.jobs.Table.Format.MD);
        assertEquals(true, md.contains("(2 other ops)"), md);
    }
}
