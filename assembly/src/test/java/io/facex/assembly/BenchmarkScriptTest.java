package io.facex.assembly;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tools/bench/vs_pytorch.py, the side-by-side benchmark against PyTorch, runs against this distribution
 * at toy size and writes its table: the figures come from the benchmark itself, never from a test.
 */
class BenchmarkScriptTest {

    private static String python() {
        for (String p : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        return null;
    }

    @Test
    void theSideBySideBenchmarkRunsAndWritesItsTable(@TempDir Path out) throws Exception {
        String python = python();
        Assumptions.assumeTrue(python != null, "no python3 on this machine");
        Path script = Path.of(System.getProperty("user.dir")).resolve("../tools/bench/vs_pytorch.py").normalize();
        Process p = new ProcessBuilder(python, script.toString(), "--facex", Dist.folder().resolve("bin/facex").toString(),
                "--python", python, "--rounds", "1", "--warmup", "0", "--reps", "1", "--classes", "10", "--train-batches", "2",
                "--infer-batches", "2", "--extract-batches", "2", "--out", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), log);
        assertEquals(0, p.exitValue(), log);
        List<String> csv = Files.readAllLines(out.resolve("vs-pytorch.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("\"training step, MobileFaceNet + MV-Softmax\",2,2,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("\"forward pass, MobileFaceNet (eval)\",2,2,"), csv.get(2));
        assertTrue(csv.get(3).startsWith("\"image files to features, MobileFaceNet (ours: OpenCV decoding included; PyTorch: forward pass)\",2,2,"),
                csv.get(3));
        boolean torch = !log.contains("measuring ours only");
        for (String row : csv.subList(1, 4)) {
            String[] cells = row.substring(row.lastIndexOf('"') + 2).split(",");
            // batch, threads, PyTorch images/s, ours images/s, ratio, PyTorch MB, ours MB, memory ratio, then
            // PyTorch under glibc's defaults: images/s, ratio, MB, memory ratio
            assertEquals(12, cells.length, row);
            assertTrue(cells[3].matches("\\d+\\.\\d"), row);
            assertTrue(cells[6].matches("\\d+"), row);
            assertTrue(!torch || cells[2].matches("\\d+\\.\\d") && cells[4].matches("\\d+\\.\\d\\d"), row);
            assertTrue(!torch || cells[8].matches("\\d+\\.\\d") && cells[9].matches("\\d+\\.\\d\\d")
                    && cells[10].matches("\\d+") && cells[11].matches("\\d+\\.\\d\\d"), row);
        }
        String md = Files.readString(out.resolve("vs-pytorch.md"));
        assertTrue(md.startsWith("| measurement | batch | threads |"), md);
        assertTrue(md.contains("| PyTorch images/s, glibc defaults |"), md);
        // like for like: PyTorch gets bin/facex's libgomp spin count along with its allocator settings
        assertTrue(log.contains("GOMP_SPINCOUNT=10000"), log);
    }

    @Test
    void aScalingPlotIsRedrawnFromItsJsonOrTheReasonGiven(@TempDir Path out) throws Exception {
        String python = python();
        Assumptions.assumeTrue(python != null, "no python3 on this machine");
        Path bench = Path.of(System.getProperty("user.dir")).resolve("../tools/bench").normalize();
        Path json = bench.resolve("results/scaling.json");
        Process p = new ProcessBuilder(python, bench.resolve("vs_pytorch.py").toString(), "--replot", json.toString(),
                "--out", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), log);
        if (p.exitValue() == 0) {
            byte[] png = Files.readAllBytes(out.resolve("scaling.png"));
            assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', log);
        } else {
            assertTrue(log.contains("matplotlib is not installed"), log);
        }

        Path bad = Files.writeString(out.resolve("bad.json"), "{\"runs\": 3}");
        p = new ProcessBuilder(python, bench.resolve("vs_pytorch.py").toString(), "--replot", bad.toString(),
                "--out", out.toString()).redirectErrorStream(true).start();
        log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), log);
        assertEquals(2, p.exitValue(), log);
        assertTrue(log.contains(bad + " is not a scaling.json written by this script"), log);
    }
}
