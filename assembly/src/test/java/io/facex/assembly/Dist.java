package io.facex.assembly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** The distribution folder the build laid out, and private homes made from it for tests. */
final class Dist {

    /**
     * Homes made by {@link #newHome()}, deleted when the test JVM exits: a full run leaves about 3 GB of
     * training data and checkpoints in them, which used to pile up in the temp folder run after run.
     * {@code -Dfacex.keepTestHomes=true} keeps them for a look after a failure.
     */
    private static final List<Path> HOMES = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!Boolean.getBoolean("facex.keepTestHomes")) {
                HOMES.forEach(Dist::deleteTree);
            }
        }, "facex-test-homes"));
    }

    private Dist() {
    }

    static Path folder() {
        String dir = System.getProperty("facex.dist");
        if (dir == null) {
            throw new IllegalStateException("facex.dist is not set: run the tests through Maven");
        }
        return Path.of(dir);
    }

    /** FaceX-Zoo's test photo (two faces), copied into {@code home/photos/test1.jpg}. */
    static Path testPhoto(Path home) throws IOException {
        Path photo = home.resolve("photos/test1.jpg");
        Files.createDirectories(photo.getParent());
        try (java.io.InputStream in = Dist.class.getResourceAsStream("/facexzoo_test1.jpg")) {
            Files.copy(in, photo);
        }
        return photo;
    }

    /** A home sharing the distribution's bundles and conf but with its own, empty plugins/ folder. */
    static Path newHome() throws IOException {
        Path home = Files.createTempDirectory("facex-home-");
        HOMES.add(home);
        Files.createSymbolicLink(home.resolve("bundles"), folder().resolve("bundles"));
        Files.createSymbolicLink(home.resolve("conf"), folder().resolve("conf"));
        Files.createDirectories(home.resolve("plugins"));
        return home;
    }

    /**
     * Deletes a home without following its links: {@code bundles} and {@code conf} point into the
     * distribution, which must stay. Best effort, as it runs while the JVM exits.
     */
    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // Files.walk does not follow links: bundles/ and conf/ go as links, the distribution stays
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not delete the test home " + root + ": " + e);
        }
    }
}
