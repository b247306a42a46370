package io.facex.tools;

import io.facex.api.BenchmarkContext;
import io.facex.core.jobs.Table;
import io.facex.core.nn.Djl;
import io.facex.core.nn.OpProfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** A benchmark's {@code --profile FILE}: libtorch's trace of the timed work, and where its time went per op. */
final class Profiles {

    /** Ops listed by name before the rest are summed. */
    static final int TOP = 15;

    private Profiles() {
    }

    /** Runs {@code work}, profiled when {@code file} is not empty: the trace in FILE, the table in FILE.md and .csv. */
    static <T> T run(String file, BenchmarkContext context, Callable<T> work) throws Exception {
        if (file == null || file.isBlank()) {
            return work.call();
        }
        Path trace = Path.of(file);
        T result = Djl.profile(trace, work);
        List<OpProfile.Op> ops = OpProfile.read(trace);
        Table t = OpProfile.table(ops, TOP);
        Files.writeString(Path.of(file + ".md"), t.render(Table.Format.MD));
        Files.writeString(Path.of(file + ".csv"), OpProfile.table(ops, Integer.MAX_VALUE).render(Table.Format.CSV));
        context.console().print(t.render(Table.Format.MD));
        context.console().println("profile: " + trace + " (Chrome trace: chrome://tracing or ui.perfetto.dev); per op: "
                + file + ".md, " + file + ".csv");
        return result;
    }
}
