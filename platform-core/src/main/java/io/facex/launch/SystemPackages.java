package io.facex.launch;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The packages the launcher's class path lends to bundles: DJL and OpenCV through JavaCPP (JVM-wide
 * singletons, since native libraries can be loaded only once per JVM), SLF4J, which DJL logs through, and
 * JNA, DJL's own dependency, with which the core sets libtorch's log level. Computed from the jars that
 * actually hold those classes, so the list always matches what is on the class path, with an explicit
 * version that bundles' import ranges check.
 */
final class SystemPackages {

    /** A class from each jar to lend, with the version source: DJL's own version for all of DJL. */
    private static final String[] ANCHORS = {
        "ai.djl.Model", "ai.djl.pytorch.engine.PtEngine", "ai.djl.pytorch.jni.JniUtils", "org.slf4j.Logger",
        "org.bytedeco.javacpp.Loader", "org.bytedeco.opencv.opencv_core.Mat", "org.bytedeco.openblas.global.openblas",
        "com.sun.jna.Native",
    };
    private static final Pattern VERSION = Pattern.compile("-(\\d+\\.\\d+(?:\\.\\d+)?)(?:[-.][^/]*)?\\.jar$");

    private SystemPackages() {
    }

    static String compute(ClassLoader loader) {
        String djlVersion = jarVersion(jarOf("ai.djl.Model", loader));
        Set<String> exports = new LinkedHashSet<>();
        for (String anchor : ANCHORS) {
            Path jar = jarOf(anchor, loader);
            if (jar == null) {
                continue;
            }
            String version = anchor.startsWith("ai.djl.") ? djlVersion : jarVersion(jar);
            for (String pkg : packages(jar)) {
                exports.add(pkg + (version == null ? "" : ";version=\"" + version + "\""));
            }
        }
        return String.join(",", exports);
    }

    static Path jarOf(String className, ClassLoader loader) {
        try {
            Class<?> c = Class.forName(className, false, loader);
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                return null;
            }
            Path p = Path.of(cs.getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (ClassNotFoundException | URISyntaxException | LinkageError e) {
            return null;
        }
    }

    static String jarVersion(Path jar) {
        if (jar == null) {
            return null;
        }
        Matcher m = VERSION.matcher(jar.getFileName().toString());
        return m.find() ? m.group(1) : null;
    }

    private static Set<String> packages(Path jar) {
        Set<String> pkgs = new TreeSet<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.endsWith(".class") && n.indexOf('/') > 0 && !n.startsWith("META-INF/")) {
                    pkgs.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + jar + ": " + e.getMessage(), e);
        }
        return pkgs;
    }

    /** For diagnostics: the jars lent. */
    static String describe(ClassLoader loader) {
        return Stream.of(ANCHORS).map(a -> jarOf(a, loader)).filter(p -> p != null)
                .map(p -> p.getFileName().toString()).collect(Collectors.joining(", "));
    }
}
