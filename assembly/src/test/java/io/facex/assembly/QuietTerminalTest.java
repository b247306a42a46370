package io.facex.assembly;

import io.facex.weights.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user's terminal shows, from real processes: {@code bin/facex} and a tool run with
 * {@code java -cp 'lib/*:bundles/*'} print no library log lines (DJL's CUDA probe and engine INFO,
 * libtorch's C++ deprecation warning) unless asked for them, and errors still get through.
 */
class QuietTerminalTest {

    static final Path WEIGHTS = EvalInContainerTest.WEIGHTS;

    record Run(int status, String out, String err) {
    }

    @Test
    void facexPrintsOnlyItsOwnLinesUnlessVerbose(@TempDir Path dir) throws Exception {
        Path faces = dir.resolve("faces.npy");
        Npy.writeFloats(faces, new float[2 * 3 * 112 * 112], 2, 3, 112, 112);
        List<String> embed = List.of("embed", "-b", "MobileFaceNet", "--weights", WEIGHTS.toString(), "--input", faces.toString(),
                "--output", dir.resolve("f.npy").toString());

        Run quiet = facex(Map.of(), embed);
        assertEquals(0, quiet.status(), quiet.err());
        assertEquals("", quiet.err());
        assertTrue(quiet.out().startsWith("2 features of 512 values"), quiet.out());

        Run verbose = facex(Map.of(), prepend("--verbose", embed));
        assertEquals(0, verbose.status(), verbose.err());
        assertTrue(verbose.out().startsWith("2 features of 512 values"), verbose.out());
        assertTrue(verbose.err().contains("INFO ai.djl.pytorch.engine.PtEngine - Number of intra-op threads"), verbose.err());
        // libtorch's own warning, printed by its C++ logging (DJL's JNI copies the weights in through a
        // deprecated dispatch mode)
        assertTrue(verbose.err().contains("Warning: AutoNonVariableTypeMode is deprecated"), verbose.err());

        Run env = facex(Map.of("FACEX_VERBOSE", "1"), embed);
        assertEquals(0, env.status(), env.err());
        assertTrue(env.err().contains("INFO ai.djl.pytorch.engine.PtEngine"), env.err());

        // a failure is still told
        Run failed = facex(Map.of(), List.of("embed", "-b", "MobileFaceNet", "--weights", dir.resolve("nope.pt").toString(), "--input",
                faces.toString(), "--output", dir.resolve("g.npy").toString()));
        assertEquals(1, failed.status(), failed.out());
        assertTrue(failed.err().contains("nope.pt"), failed.err());
    }

    /** 'help' gives the overview; 'help COMMAND' that command's description and options, nothing else. */
    @Test
    void helpForOneCommandIsAboutThatCommand() throws Exception {
        Run one = facex(Map.of(), List.of("help", "detect"));
        assertEquals(0, one.status(), one.err());
        assertTrue(one.out().startsWith("detect - "), one.out());
        assertTrue(one.out().contains("--annotate"), one.out());
        assertFalse(one.out().contains("Usage: facex"), one.out());
        Run all = facex(Map.of(), List.of("help"));
        assertEquals(0, all.status(), all.err());
        assertTrue(all.out().startsWith("Usage: facex"), all.out());
    }

    @Test
    void benchmarksAreQuietToo() throws Exception {
        List<String> search = List.of("bench", "search", "--probes", "4", "--distractors", "50", "--runs", "1", "--warmup", "0");
        Run quiet = facex(Map.of(), search);
        assertEquals(0, quiet.status(), quiet.err());
        assertEquals("", quiet.err());
        assertTrue(quiet.out().startsWith("search: MegaFace search 4 probes x 50 distractors"), quiet.out());

        Run verbose = facex(Map.of(), prepend("--verbose", search));
        assertEquals(0, verbose.status(), verbose.err());
        assertTrue(verbose.err().contains("INFO ai.djl.pytorch.engine.PtEngine"), verbose.err());
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }

    private static Run facex(Map<String, String> env, List<String> args) throws Exception {
        List<String> command = prepend(Dist.folder().resolve("bin/facex").toString(), args);
        return run(command, env);
    }

    private static Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(Dist.folder().toFile());
        // the switches under test, as a user who has set none
        pb.environment().remove("FACEX_VERBOSE");
        pb.environment().remove("TORCH_CPP_LOG_LEVEL");
        pb.environment().remove("FACEX_OPTS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("facex-out-", ".txt");
        Path err = Files.createTempFile("facex-err-", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in 5 minutes");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
