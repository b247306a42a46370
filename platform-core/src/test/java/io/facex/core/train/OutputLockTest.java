package io.facex.core.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondHolderInTheSameProcessIsRefusedByPid() throws Exception {
        try (OutputLock held = OutputLock.acquire(dir, new StringBuilder())) {
            IOException e = assertThrows(IOException.class, () -> OutputLock.acquire(dir, new StringBuilder()));
            assertTrue(e.getMessage().startsWith(dir + " is in use by a running training (pid "
                    + ProcessHandle.current().pid() + " since "), e.getMessage());
        }
        StringBuilder note = new StringBuilder();
        try (OutputLock again = OutputLock.acquire(dir, note)) {
            assertEquals("", note.toString(), "a released lock leaves no holder behind");
        }
    }

    /** Another process holds the folder: refused; once that process is killed, its lock is taken over. */
    @Test
    void anotherProcessesLockIsRefusedAndTakenOverWhenItDies() throws Exception {
        Path holder = Files.writeString(dir.resolve("Holder.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        ch.lock();
                        ch.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since now\\n").getBytes()));
                        System.out.println("locked");
                        Thread.sleep(60_000);
                    }
                }
                """);
        Path out = Files.createDirectories(dir.resolve("out"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, holder.toString(), out.resolve(OutputLock.FILE).toString()).start();
        try {
            assertEquals("locked", new String(p.getInputStream().readNBytes(6)));
            IOException e = assertThrows(IOException.class, () -> OutputLock.acquire(out, new StringBuilder()));
            assertTrue(e.getMessage().contains("in use by a running training (pid " + p.pid()), e.getMessage());
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        StringBuilder note = new StringBuilder();
        try (OutputLock taken = OutputLock.acquire(out, note)) {
            assertTrue(note.toString().contains("took over the lock of an earlier training that is no longer running (pid "
                    + p.pid()), note.toString());
        }
    }
}
