package io.facex.assembly;

import io.facex.tools.synthetic.SyntheticFaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a real {@code bin/facex} process ends: Ctrl-C during a command (the documented status 130, a
 * training that saves, no stray message), the interactive shell's {@code exit}, and the framework's
 * cache folder, which must not outlive the process however it ends (a kill -9 leaves it to the next start).
 */
class StopAndExitTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration END = Duration.ofSeconds(60);
    /** What a Java exception looks like in a message: the user should see what went wrong, not a class name. */
    private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b");

    @Test
    void ctrlCDuringTrainingSavesThenExits130WithoutAStrayMessage(@TempDir Path dir) throws Exception {
        SyntheticFaces.Result faces = SyntheticFaces.builder(dir.resolve("faces")).identities(10).imagesPerIdentity(4)
                .heldOutIdentities(0).seed(3).generate();
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path run = dir.resolve("run");
        try (FacexProcess p = FacexProcess.start(dir, tmp, List.of("--threads", "1", "train",
                "--data_root", faces.trainRoot().toString(), "--train_file", faces.trainList().toString(),
                "--out_dir", run.toString(), "--backbone_type", "MobileFaceNet", "--head_type", "MV-Softmax",
                "--epoches", "1000", "--batch_size", "4"))) {
            // the first progress line with a loss (the bar prints one every 10 s without a terminal)
            p.awaitOutput(out -> out.contains(" loss "), "training to be under way", START);
            p.signal("INT");
            int status = p.awaitExit(Duration.ofSeconds(150));

            String err = p.err();
            assertEquals(130, status, "out:\n" + p.out() + "\nerr:\n" + err);
            assertFalse(err.contains("Shutdown in progress"), err);
            assertFalse(EXCEPTION_NAME.matcher(err).find(), err);
            assertEquals("", err.strip());
            assertTrue(p.out().contains("last checkpoint " + run), p.out());
            // the plot drawn while the JVM shuts down is a whole PNG (it was left empty when this failed)
            assertNotNull(ImageIO.read(run.resolve("train_loss.png").toFile()), "train_loss.png is not an image");
            try (Stream<Path> files = Files.list(run)) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().matches("Epoch_\\d+_batch_\\d+\\.safetensors")),
                        "no checkpoint saved at the stop");
            }
            assertEquals(List.of(), FacexProcess.cacheFolders(tmp));
        }
    }

    @Test
    void ctrlCWhileThePlatformStartsIsQuietToo(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        // 'list' takes about a second and a half: the signal lands in the JVM's start, the framework's
        // and the command's
        for (long delayMs : new long[] {200, 500, 800, 1100}) {
            try (FacexProcess p = FacexProcess.start(dir, tmp, List.of("list"))) {
                Thread.sleep(delayMs);
                boolean signalled = p.signal("INT");
                int status = p.awaitExit(END);
                String err = p.err();
                if (signalled) {
                    // or 0: the command was through and the JVM already exiting when the signal came
                    assertTrue(status == 130 || status == 0, "after " + delayMs + " ms: status " + status + "\n" + err);
                } else {
                    assertEquals(0, status, err);
                }
                assertEquals("", err.strip(), "after " + delayMs + " ms");
            }
        }
        assertEquals(List.of(), FacexProcess.cacheFolders(tmp));
    }

    @Test
    void exitLeavesTheShellWithItsStatus(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        for (String line : List.of("exit", "exit 0", "exit 3")) {
            try (FacexProcess p = FacexProcess.start(dir, tmp, List.of())) {
                p.awaitOutput(out -> out.contains("g! "), "the prompt", START);
                p.type("facex:list -f csv");
                p.awaitOutput(out -> out.contains("backbone,MobileFaceNet,"), "the listing", START);
                p.type(line);
                int status = p.awaitExit(END);
                assertEquals(line.equals("exit 3") ? 3 : 0, status, line + "\nout:\n" + p.out() + "\nerr:\n" + p.err());
                assertFalse(p.err().contains("Cannot coerce"), p.err());
                assertFalse(EXCEPTION_NAME.matcher(p.err()).find(), p.err());
                assertEquals(List.of(), FacexProcess.cacheFolders(tmp), "after '" + line + "'");
            }
        }
    }

    @Test
    void noCacheFolderOutlivesTheProcessAndAKilledOnesIsRemovedByTheNextStart(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        for (String signal : List.of("INT", "TERM")) {
            try (FacexProcess p = FacexProcess.start(dir, tmp, List.of())) {
                p.awaitOutput(out -> out.contains("g! "), "the prompt", START);
                assertEquals(1, FacexProcess.cacheFolders(tmp).size(), "one cache folder while it runs");
                p.signal(signal);
                int status = p.awaitExit(END);
                assertEquals(signal.equals("INT") ? 130 : 143, status, signal + ": " + p.err());
                assertEquals(List.of(), FacexProcess.cacheFolders(tmp), "after SIG" + signal);
            }
        }

        List<String> left;
        try (FacexProcess p = FacexProcess.start(dir, tmp, List.of())) {
            p.awaitOutput(out -> out.contains("g! "), "the prompt", START);
            p.signal("KILL");
            assertEquals(137, p.awaitExit(END));
            left = FacexProcess.cacheFolders(tmp);
            assertEquals(1, left.size(), "kill -9 leaves its folder: " + left);
        }
        try (FacexProcess p = FacexProcess.start(dir, tmp, List.of("list"))) {
            assertEquals(0, p.awaitExit(END), p.err());
        }
        assertEquals(List.of(), FacexProcess.cacheFolders(tmp), "the next start removes what a killed process left");
    }
}
