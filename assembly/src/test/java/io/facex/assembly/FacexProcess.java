package io.facex.assembly;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@code bin/facex} process, as a user starts it, with its own temporary directory (so the
 * folders it leaves there can be counted), its output in files that can be read while it runs, and its
 * standard input a pipe the test writes to. {@code bin/facex} execs java, so the process is the JVM and
 * a signal sent to it is the one Ctrl-C sends.
 */
final class FacexProcess implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private FacexProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static FacexProcess start(Path dir, Path tmp, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Dist.folder().resolve("bin/facex").toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(Dist.folder().toFile());
        pb.environment().remove("FACEX_VERBOSE");
        pb.environment().put("FACEX_OPTS", "-Djava.io.tmpdir=" + tmp);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile(dir, "out-", ".txt");
        Path err = Files.createTempFile(dir, "err-", ".txt");
        return new FacexProcess(pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start(), out, err);
    }

    /** Types a line into the shell, leaving standard input open (end of input would end the shell too). */
    void type(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    void awaitOutput(Predicate<String> condition, String what, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(out())) {
                return;
            }
            if (!process.isAlive()) {
                fail("bin/facex ended (status " + process.exitValue() + ") before " + what + "\nout:\n" + out() + "\nerr:\n" + err());
            }
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what + "\nout:\n" + out() + "\nerr:\n" + err());
    }

    /** Sends a signal; false if the process had already ended. */
    boolean signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                return false;
            }
            fail("kill -" + name + " " + process.pid() + " failed: " + said);
        }
        return true;
    }

    int awaitExit(Duration patience) throws Exception {
        if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("bin/facex did not end within " + patience + "\nout:\n" + out() + "\nerr:\n" + err());
        }
        return process.exitValue();
    }

    String out() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String err() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** The framework cache folders in a temporary directory. */
    static List<String> cacheFolders(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("facex-osgi-")).sorted().toList();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
