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

    /** A home sharing the distribution's bundles and conf but with its own, empty plugins/ folder. */
    static Path newHome() throws IOException {
        Path home = Files.createTempDirectory("facex-home-");
        Files.createSymbolicLink(home.resolve("bundles"), folder().resolve("bundles"));
        Files.createSymbolicLink(home.resolve("conf"), folder().resolve("conf"));
        Files.createDirectories(home.resolve("plugins"));
        return home;
    }
}
