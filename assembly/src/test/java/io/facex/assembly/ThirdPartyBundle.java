package io.facex.assembly;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds a real plugin bundle from Java source at test time, the way a third party would: compiled
 * against the published api jar and DJL only, with a hand-written OSGi manifest.
 */
final class ThirdPartyBundle {

    private final String symbolicName;
    private String version = "1.0.0";
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> services = new LinkedHashMap<>();
    private String activator;
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    /** Import-Package computed from the compiled classes, as bnd does, instead of the list below. */
    private boolean importsFromClasses;
    private final List<String> imports = new ArrayList<>(List.of(
            "io.facex.api;version=\"[2.0,3)\"",
            "ai.djl.nn;version=\"[0.36,1)\"",
            "ai.djl.nn.core;version=\"[0.36,1)\"",
            "ai.djl.nn.convolutional;version=\"[0.36,1)\"",
            "ai.djl.ndarray.types;version=\"[0.36,1)\""));

    ThirdPartyBundle(String symbolicName) {
        this.symbolicName = symbolicName;
    }

    ThirdPartyBundle version(String v) {
        this.version = v;
        return this;
    }

    ThirdPartyBundle source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    ThirdPartyBundle service(String spi, String impl) {
        services.merge(spi, impl, (a, b) -> a + "\n" + b);
        return this;
    }

    ThirdPartyBundle activator(String className) {
        this.activator = className;
        imports.add("org.osgi.framework;version=\"[1.8,2)\"");
        return this;
    }

    /**
     * The bundle a plugin project's sources make, as its own build would: every class of
     * {@code src/main/java}, every file of {@code src/main/resources} (its META-INF/services), and
     * Import-Package computed from the compiled classes' references to DJL and the api.
     */
    static ThirdPartyBundle fromProject(Path project, String symbolicName, String version) throws IOException {
        ThirdPartyBundle b = new ThirdPartyBundle(symbolicName).version(version);
        b.importsFromClasses = true;
        Path java = project.resolve("src/main/java");
        try (Stream<Path> walk = Files.walk(java)) {
            for (Path f : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = java.relativize(f).toString().replace('/', '.');
                b.source(name.substring(0, name.length() - ".java".length()), Files.readString(f));
            }
        }
        Path res = project.resolve("src/main/resources");
        if (Files.isDirectory(res)) {
            try (Stream<Path> walk = Files.walk(res)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    b.resources.put(res.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
        }
        return b;
    }

    /** Compiles and packs the bundle, then moves it into place in one step (as a user's copy would end). */
    Path writeTo(Path target) throws IOException {
        Path work = Files.createTempDirectory("tpb-");
        Path src = work.resolve("src");
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classes.toString(), "-cp", classPath()));
        args.addAll(files);
        int rc = javac.run(null, diag, diag, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("test bundle did not compile:\n" + diag.toString(StandardCharsets.UTF_8));
        }
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", version);
        a.putValue("Import-Package", String.join(",", importsFromClasses ? importsOf(classes) : imports));
        if (activator != null) {
            a.putValue("Bundle-Activator", activator);
        }
        Path tmp = Files.createTempFile(target.getParent(), ".tpb", ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream jar = new JarOutputStream(os, mf)) {
            try (Stream<Path> walk = Files.walk(classes)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    jar.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    jar.write(Files.readAllBytes(p));
                    jar.closeEntry();
                }
            }
            for (Map.Entry<String, byte[]> e : resources.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
            for (Map.Entry<String, String> e : services.entrySet()) {
                jar.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
                jar.write((e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        // A hidden temp name is not matched by the plugins/ filter (*.jar); the move publishes it whole.
        return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static final Pattern REFERENCE = Pattern.compile("(?:ai/djl|io/facex)(?:/[\\w$]+)+");

    /**
     * The packages of DJL and FaceX-J the compiled classes refer to (class constants, descriptors and
     * signatures of their constant pools), with the ranges bnd would give them: DJL's lent range, the
     * api's [major.minor, major+1) from the version the api jar exports.
     */
    private static List<String> importsOf(Path classes) throws IOException {
        Set<String> own = new TreeSet<>();
        Set<String> referenced = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(classes)) {
            for (Path f : walk.filter(p -> p.toString().endsWith(".class")).toList()) {
                own.add(classes.relativize(f.getParent()).toString().replace('/', '.'));
                for (String utf8 : constantPoolStrings(Files.readAllBytes(f))) {
                    Matcher m = REFERENCE.matcher(utf8);
                    while (m.find()) {
                        String type = m.group();
                        referenced.add(type.substring(0, type.lastIndexOf('/')).replace('/', '.'));
                    }
                }
            }
        }
        referenced.removeAll(own);
        List<String> out = new ArrayList<>();
        for (String pkg : referenced) {
            if (pkg.startsWith("ai.djl")) {
                out.add(pkg + ";version=\"[0.36,1)\"");
            } else if (pkg.equals("io.facex.api") || pkg.startsWith("io.facex.api.")) {
                out.add(pkg + ";version=\"" + apiRange(pkg) + "\"");
            } else {
                throw new IllegalStateException("a third-party plugin compiles against the api and DJL only, not " + pkg);
            }
        }
        return out;
    }

    /** The Utf8 entries of a class file's constant pool. */
    private static List<String> constantPoolStrings(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        in.skipBytes(8); // magic, minor, major
        int count = in.readUnsignedShort();
        List<String> out = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> out.add(in.readUTF());
                case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // longs and doubles take two entries
                }
                default -> throw new IOException("unknown constant-pool tag " + tag);
            }
        }
        return out;
    }

    /** [major.minor, major+1) of the version the api jar on the class path exports {@code pkg} at. */
    private static String apiRange(String pkg) throws IOException {
        Path api;
        try {
            api = Path.of(Class.forName("io.facex.api.Backbone").getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Manifest mf;
        if (Files.isDirectory(api)) {
            try (var in = Files.newInputStream(api.resolve("META-INF/MANIFEST.MF"))) {
                mf = new Manifest(in);
            }
        } else {
            try (JarFile jar = new JarFile(api.toFile())) {
                mf = jar.getManifest();
            }
        }
        String header = mf.getMainAttributes().getValue("Export-Package");
        List<String> clauses = new ArrayList<>();
        StringBuilder clause = new StringBuilder();
        boolean quoted = false;
        for (char ch : header.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            }
            if (ch == ',' && !quoted) {
                clauses.add(clause.toString());
                clause.setLength(0);
            } else {
                clause.append(ch);
            }
        }
        clauses.add(clause.toString());
        for (String c : clauses) {
            Matcher m = Pattern.compile(";version=\"(\\d+)\\.(\\d+)").matcher(c);
            if (c.startsWith(pkg + ";") && m.find()) {
                return "[" + m.group(1) + "." + m.group(2) + "," + (Integer.parseInt(m.group(1)) + 1) + ")";
            }
        }
        throw new IllegalStateException(api + " does not export " + pkg + ": " + header);
    }

    private static String classPath() {
        List<String> jars = new ArrayList<>();
        for (String anchor : new String[] {"io.facex.api.Backbone", "ai.djl.nn.Block", "org.osgi.framework.Bundle"}) {
            try {
                jars.add(Path.of(Class.forName(anchor).getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(java.io.File.pathSeparator, jars);
    }

    /**
     * A tiny backbone: conv 3→8 stride 2, flatten, linear to feat_dim. {@code delay_ms} makes build()
     * wait before it loads the class that builds the block, so a test can pull the bundle from under it.
     */
    static ThirdPartyBundle tinyNet(String version, String description) {
        return new ThirdPartyBundle("com.example.tinynet").version(version)
                .source("com.example.tiny.TinyNet", """
                        package com.example.tiny;
                        import ai.djl.nn.Block;
                        import io.facex.api.Backbone;
                        import io.facex.api.InvalidConfigException;
                        public final class TinyNet implements Backbone<TinyNet.Config> {
                            public record Config(int featDim, long delayMs) {}
                            public String name() { return "TinyNet"; }
                            public String description() { return "%s"; }
                            public Class<Config> configType() { return Config.class; }
                            public Config defaultConfig() { return new Config(16, 0); }
                            public void validate(Config c) {
                                if (c.featDim() <= 0) throw new InvalidConfigException("feat_dim", "must be positive");
                            }
                            public int featureDim(Config c) { return c.featDim(); }
                            public Block build(Config c) {
                                if (c.delayMs() > 0) {
                                    try { Thread.sleep(c.delayMs()); } catch (InterruptedException e) { throw new RuntimeException(e); }
                                }
                                return Layers.stack(c.featDim());
                            }
                        }
                        """.formatted(description))
                .source("com.example.tiny.Layers", """
                        package com.example.tiny;
                        import ai.djl.ndarray.types.Shape;
                        import ai.djl.nn.Block;
                        import ai.djl.nn.Blocks;
                        import ai.djl.nn.SequentialBlock;
                        import ai.djl.nn.convolutional.Conv2d;
                        import ai.djl.nn.core.Linear;
                        final class Layers {
                            static Block stack(int featDim) {
                                return new SequentialBlock()
                                        .add(Conv2d.builder().setFilters(8).setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2)).build())
                                        .add(Blocks.batchFlattenBlock())
                                        .add(Linear.builder().setUnits(featDim).build());
                            }
                        }
                        """)
                .service("io.facex.api.Backbone", "com.example.tiny.TinyNet");
    }
}
