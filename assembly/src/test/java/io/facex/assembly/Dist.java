package io.facex.assembly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The distribution folder the build laid out, and private homes made from it for tests. */
final class Dist {

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
        Files.createSymbolicLink(home.resolve("bundles"), folder().resolve("bundles"));
        Files.createSymbolicLink(home.resolve("conf"), folder().resolve("conf"));
        Files.createDirectories(home.resolve("plugins"));
        return home;
    }
}
