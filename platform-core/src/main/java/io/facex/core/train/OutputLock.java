package io.facex.core.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Keeps two trainings out of one output folder: a second {@code facex train} into a folder a running
 * training holds would interleave its log and overwrite its checkpoints. The lock is an OS file lock
 * (released by the kernel when its holder dies, so a killed run's lock is taken over by the next one)
 * on a file that names the holder's PID for the message.
 */
final class OutputLock implements AutoCloseable {

    static final String FILE = ".facex-train.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @return the lock and, when the folder's previous holder had died without releasing it, a note
     * @throws IOException naming the folder and the holder's PID when a running training holds it
     */
    static OutputLock acquire(Path dir, StringBuilder note) throws IOException {
        Path file = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process (another job of the same shell)
        }
        String previous = read(ch);
        if (lock == null) {
            ch.close();
            throw new IOException(dir + " is in use by a running training (" + describe(previous)
                    + "); wait for it, stop it, or train into another --out_dir");
        }
        if (!previous.isBlank()) {
            note.append("took over the lock of an earlier training that is no longer running (").append(describe(previous))
                    .append(')');
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since " + Instant.now() + "\n")
                .getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(false);
        return new OutputLock(ch, lock);
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 256));
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
    }

    private static String describe(String content) {
        return content.isBlank() ? "holder unknown" : content;
    }

    /** Releases the lock and empties the file, so the next run sees no earlier holder. */
    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
            lock.release();
        } finally {
            channel.close();
        }
    }
}
