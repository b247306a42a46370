package io.facex.assembly;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistTest {

    /** Cleaning a test home must not reach through its links into the distribution every other test uses. */
    @Test
    void deletingAHomeKeepsTheDistributionBehindItsLinks() throws Exception {
        Path home = Dist.newHome();
        Files.writeString(home.resolve("plugins/dropped.txt"), "x");
        long bundles;
        try (var s = Files.list(Dist.folder().resolve("bundles"))) {
            bundles = s.count();
        }
        Dist.deleteTree(home);
        assertFalse(Files.exists(home, LinkOption.NOFOLLOW_LINKS));
        try (var s = Files.list(Dist.folder().resolve("bundles"))) {
            assertTrue(bundles > 0 && s.count() == bundles, "the distribution's bundles/ lost files");
        }
        assertTrue(Files.isDirectory(Dist.folder().resolve("conf")));
    }
}
