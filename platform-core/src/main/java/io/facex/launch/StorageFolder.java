package io.facex.launch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The framework's cache folder: one per process, in the temporary directory, named after the process
 * ({@code facex-osgi-<pid>-...}). The container removes its own when it closes or the JVM shuts down;
 * a process killed outright (kill -9) cannot, so each start removes the folders of processes that are
 * no longer alive.
 */
final class StorageFolder {

    static final String PREFIX = "facex-osgi-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");

    private StorageFolder() {
    }

    static Path create() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        removeOrphans(tmp);
        return Files.createTempDirectory(tmp, PREFIX + ProcessHandle.current().pid() + "-");
    }

    /** Folders left by processes that are gone; folders without a pid (older releases) are left alone. */
    static void removeOrphans(Path tmp) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                Matcher m = NAME.matcher(dir.getFileName().toString());
                if (m.matches() && Files.isDirectory(dir) && !alive(m.group(1))) {
                    delete(dir);
                }
            }
        } catch (IOException | SecurityException ignored) {
            // an unreadable temporary directory only means the orphans stay
        }
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException tooLong) {
            return true; // not a pid this platform can have; not ours to judge
        }
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // removed meanwhile, or unreadable: the next start tries again
        }
    }
}
