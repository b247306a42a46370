package io.facex.core.osgi;

import io.facex.core.registry.PluginProblem;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Keeps out of the container a jar in {@code plugins/} whose bundle is already there: the symbolic name
 * of a built-in bundle ({@code bundles/}) at a version no higher than it, or the symbolic name and
 * version of another {@code plugins/} jar. Left to itself, FileInstall "updates" the installed bundle
 * with such a file and ties it to the file, so deleting the copy uninstalled the built-in. FileInstall
 * asks every installer before installing a jar as a bundle, so taking these files here refuses them,
 * with a problem naming the file and the bundle it collides with. A higher version of a built-in is not
 * taken: it installs beside it, and the registry prefers it until it is removed.
 */
final class DuplicateBundleGuard implements ArtifactInstaller {

    private final BundleContext context;
    private final Path dir;
    private final Map<Path, PluginProblem> refused = new ConcurrentHashMap<>();

    private DuplicateBundleGuard(BundleContext context, Path dir) {
        this.context = context;
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** Offers the guard to FileInstall; the problems it holds, for the registry's listing. */
    static Supplier<List<PluginProblem>> register(BundleContext context, Path dir) {
        DuplicateBundleGuard guard = new DuplicateBundleGuard(context, dir);
        context.registerService(ArtifactInstaller.class, guard, null);
        return guard::problems;
    }

    @Override
    public boolean canHandle(File artifact) {
        return artifact.getName().endsWith(".jar") && inFolder(artifact.toPath()) && collision(artifact.toPath()) != null;
    }

    @Override
    public void install(File artifact) {
        refuse(artifact.toPath());
    }

    @Override
    public void update(File artifact) {
        refuse(artifact.toPath());
    }

    @Override
    public void uninstall(File artifact) {
        // the installed bundle was never this file's: nothing to uninstall
        refused.remove(key(artifact.toPath()));
        if (artifact.isFile() && collision(artifact.toPath()) == null) {
            // Replaced by a jar that no longer collides (a higher Bundle-Version under the same name):
            // FileInstall lets go of it here but installs it only once the file changes again.
            artifact.setLastModified(System.currentTimeMillis());
        }
    }

    List<PluginProblem> problems() {
        return List.copyOf(refused.values());
    }

    private void refuse(Path jar) {
        Bundle other = collision(jar);
        if (other == null) {
            // no longer colliding (the other bundle went); the file is installed once it next changes
            refused.remove(key(jar));
            return;
        }
        String file = jar.getFileName().toString();
        String builtIn = fromPlugins(other) ? "" : "built-in ";
        String why = "not installed: the " + builtIn + "bundle " + other.getSymbolicName() + " " + other.getVersion()
                + " (" + place(other) + ") is already installed"
                + (fromPlugins(other) ? " with that version" : " at that or a higher version")
                + "; give the copy a higher Bundle-Version to replace it, or remove the file";
        PluginProblem p = new PluginProblem(dir.getFileName() + "/", file, why);
        if (!p.equals(refused.put(key(jar), p))) {
            System.err.println("facex: " + dir.getFileName() + "/" + file + ": " + why);
        }
    }

    /** The installed bundle this jar would collide with, or null. */
    private Bundle collision(Path jar) {
        String[] id = bundleId(jar);
        if (id == null) {
            return null; // not a bundle: PluginFolder names it
        }
        Version version;
        try {
            version = Version.parseVersion(id[1]);
        } catch (IllegalArgumentException e) {
            return null; // the framework refuses it with its own message
        }
        Path self = key(jar);
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0 || !id[0].equals(b.getSymbolicName()) || self.equals(locationPath(b))) {
                continue;
            }
            int order = version.compareTo(b.getVersion());
            if (order == 0 || (order < 0 && !fromPlugins(b))) {
                return b;
            }
        }
        return null;
    }

    /** Symbolic name (without directives) and version from the jar's manifest, or null if it has none. */
    private static String[] bundleId(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            Attributes a = mf == null ? null : mf.getMainAttributes();
            String bsn = a == null ? null : a.getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null) {
                return null;
            }
            String version = a.getValue(Constants.BUNDLE_VERSION);
            return new String[] {bsn.split(";")[0].trim(), version == null ? "0.0.0" : version.trim()};
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private boolean fromPlugins(Bundle b) {
        Path p = locationPath(b);
        return p != null && p.startsWith(dir);
    }

    private String place(Bundle b) {
        Path p = locationPath(b);
        if (p == null) {
            return b.getLocation();
        }
        return p.getParent() == null ? p.toString() : p.getParent().getFileName() + "/" + p.getFileName();
    }

    /** The file a bundle was installed from ({@code reference:file:...} for built-ins, {@code file:...} for plugins/). */
    private static Path locationPath(Bundle b) {
        String loc = b.getLocation();
        if (loc.startsWith("reference:")) {
            loc = loc.substring("reference:".length());
        }
        try {
            URI uri = URI.create(loc);
            return "file".equals(uri.getScheme()) ? Path.of(uri).toAbsolutePath().normalize() : null;
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    private boolean inFolder(Path file) {
        return file.toAbsolutePath().normalize().startsWith(dir);
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }
}
