package io.facex.core.osgi;

import io.facex.core.registry.PluginProblem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Files in {@code plugins/} that can never become bundles (not a jar, no OSGi manifest). The watcher
 * skips them silently; this names them and says why, so a user who dropped the wrong file learns it.
 */
final class PluginFolder {

    private final Path dir;

    PluginFolder(Path dir) {
        this.dir = dir;
    }

    List<PluginProblem> problems() {
        List<PluginProblem> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                String why = check(f);
                if (why != null) {
                    out.add(new PluginProblem(dir.getFileName() + "/", f.getFileName().toString(), why));
                }
            }
        } catch (IOException e) {
            out.add(new PluginProblem(dir.toString(), dir.getFileName().toString(), "cannot list: " + e.getMessage()));
        }
        return out;
    }

    /** Why the file is not a bundle, or null if it looks like one. */
    static String check(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            if (mf == null) {
                return "not an OSGi bundle: no META-INF/MANIFEST.MF";
            }
            if (mf.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                return "not an OSGi bundle: its manifest has no Bundle-SymbolicName (build it with maven-bundle-plugin or bnd)";
            }
            return null;
        } catch (IOException | SecurityException e) {
            return "not a readable jar: " + e.getMessage();
        }
    }
}
