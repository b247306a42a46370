package io.facex.assembly;

import io.facex.launch.FacexContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Boots the real distribution (the folder the build laid out, with its launcher, bundles and
 * plugins/ watcher) and drives it through its commands, as bin/facex does.
 */
class ContainerTest {

    private static final Duration PLUGIN_WAIT = Duration.ofSeconds(30);

    static Path home;
    static FacexContainer container;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void boot() throws Exception {
        home = Dist.newHome();
        container = FacexContainer.start(home, false, Map.of(FacexContainer.POLL_PROPERTY, "200"),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (container != null) {
            container.close();
        }
    }

    static Result run(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = container.execute(line, out, err);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result awaitList(Predicate<String> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PLUGIN_WAIT.toNanos();
        Result r;
        do {
            r = run("list");
            assertEquals(0, r.status(), r.err());
            if (condition.test(r.out())) {
                return r;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        fail("timed out waiting for " + what + "; last listing:\n" + r.out() + "\nlog:\n" + LOG);
        return r;
    }

    @Test
    void everyBundleResolvesAndStarts() {
        Bundle[] bundles = container.context().getBundles();
        assertTrue(bundles.length >= 13, "bundles installed: " + bundles.length);
        for (Bundle b : bundles) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && !b.getLocation().contains("/plugins/")) {
                assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName() + " is not active");
            }
        }
    }

    @Test
    void listsPluginsByKindWithBundleAndVersion() {
        Result r = run("list");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s)KIND +NAME +DESCRIPTION +BUNDLE +VERSION\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*backbone +MobileFaceNet +MobileFaceNet .* facex-backbone-mobilefacenet +0\\.1\\.0\\..*"), r.out());
        Result csv = run("facex:list --format csv");
        assertTrue(csv.out().startsWith("kind,name,description,bundle,version\n"), csv.out());
    }

    @Test
    void infoBuildsTheBackboneWithDjlInsideTheContainer() {
        Result r = run("info MobileFaceNet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("parameters: 1,200,512"), r.out());
        assertTrue(r.out().contains("output: (N, 512)"), r.out());
        assertTrue(r.out().contains("forward pass: (1, 512)"), r.out());
        assertTrue(r.out().contains("feat_dim: 512"), r.out());
    }

    @Test
    void infoOnAHeadShowsItsSizes() {
        Result r = run("info MV-Softmax");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("sized by the platform: features from the backbone, classes from the training data "
                + "(this configuration states 512 features, 72778 classes)"), r.out());
        assertTrue(r.out().contains("mv_weight: 1.12"), r.out());
    }

    @Test
    void configurationFromAFaceXZooStyleFile() throws IOException {
        Path conf = home.resolve("small.yaml");
        Files.writeString(conf, "ResNet:\n    depth: 152\nMobileFaceNet:\n    feat_dim: 128\n    out_h: 7\n    out_w: 7\n");
        Result r = run("info -c " + conf + " MobileFaceNet");
        assertEquals(0, r.status(), r.err());
        // 1,200,512 − linear 512·(512−128) − BN affine 2·(512−128)
        assertTrue(r.out().contains("parameters: " + String.format("%,d", 1_200_512 - 512 * 384 - 2 * 384)), r.out());
        assertTrue(r.out().contains("feat_dim: 128"), r.out());
    }

    @Test
    void badConfigurationNamesFileLineAndKey() throws IOException {
        Path conf = home.resolve("typo.yaml");
        Files.writeString(conf, "MobileFaceNet:\n    feat_dim: 512\n    out_hh: 7\n");
        Result r = run("info -c " + conf + " MobileFaceNet");
        assertEquals(1, r.status());
        assertTrue(r.err().contains(conf + ":3: MobileFaceNet.out_hh: unknown key for MobileFaceNet (did you mean 'out_h'?)"), r.err());

        Files.writeString(conf, "MobileFaceNet:\n    feat_dim: large\n");
        r = run("info -c " + conf + " MobileFaceNet");
        assertEquals(1, r.status());
        assertTrue(r.err().contains(conf + ":2: MobileFaceNet.feat_dim: expected an integer, got 'large'"), r.err());

        Files.writeString(conf, "MobileFaceNet:\n    feat_dim: -4\n");
        r = run("info -c " + conf + " MobileFaceNet");
        assertEquals(1, r.status());
        assertTrue(r.err().contains(conf + ":2: MobileFaceNet.feat_dim: must be positive, got -4"), r.err());

        assertEquals(0, run("list").status(), "the container keeps working");
    }

    @Test
    void unknownCommandOptionIsExplained() {
        Result r = run("info --nosuch 3 MobileFaceNet");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("unknown option or wrong arguments for 'facex:info'; see 'help facex:info'"), r.err());
    }

    @Test
    void unknownPluginNameListsTheAvailableOnes() {
        Result r = run("info -k backbone MobileFaceNett");
        assertEquals(1, r.status());
        assertTrue(r.err().matches("(?s).*unknown backbone 'MobileFaceNett' \\(did you mean 'MobileFaceNet'\\?\\); available backbones: [^\\n]*\\bMobileFaceNet\\b.*"), r.err());
    }

    @Test
    void droppedPluginIsUsableThenReplacedThenRemovedWithoutRestart() throws Exception {
        Path jar = home.resolve("plugins/tinynet.jar");
        ThirdPartyBundle.tinyNet("1.0.0", "tiny test backbone v1").writeTo(jar);
        awaitList(out -> out.contains("TinyNet") && out.contains("tiny test backbone v1"), "TinyNet v1");
        Result info = run("info TinyNet");
        assertEquals(0, info.status(), info.err());
        // conv 8·3·3·3 + 8, linear over 8·55·55 → 16 (+16)
        assertTrue(info.out().contains(String.format("parameters: %,d", 8 * 27 + 8 + 8 * 55 * 55 * 16 + 16)), info.out());
        assertTrue(info.out().contains("bundle: com.example.tinynet 1.0.0"), info.out());

        ThirdPartyBundle.tinyNet("2.0.0", "tiny test backbone v2").writeTo(jar);
        Result v2 = awaitList(out -> out.contains("tiny test backbone v2"), "TinyNet v2");
        assertFalse(v2.out().contains("tiny test backbone v1"), v2.out());
        assertTrue(v2.out().matches("(?s).*TinyNet .*com\\.example\\.tinynet +2\\.0\\.0.*"), v2.out());

        Files.delete(jar);
        awaitList(out -> !out.contains("TinyNet"), "TinyNet to disappear");
        assertEquals(1, run("info TinyNet").status());
    }

    @Test
    void bundleWhoseActivatorThrowsIsReportedAndTheContainerCarriesOn() throws Exception {
        Path jar = home.resolve("plugins/broken-activator.jar");
        new ThirdPartyBundle("com.example.broken")
                .source("com.example.broken.Boom", """
                        package com.example.broken;
                        public class Boom implements org.osgi.framework.BundleActivator {
                            public void start(org.osgi.framework.BundleContext c) { throw new IllegalStateException("boom at start"); }
                            public void stop(org.osgi.framework.BundleContext c) { }
                        }
                        """)
                .activator("com.example.broken.Boom")
                .writeTo(jar);
        Result r = awaitList(out -> out.contains("com.example.broken"), "the broken bundle to be reported");
        assertTrue(r.out().contains("boom at start"), r.out());
        assertEquals(0, run("info MobileFaceNet").status());
        Files.delete(jar);
        awaitList(out -> !out.contains("com.example.broken"), "the broken bundle to go");
    }

    @Test
    void filesThatAreNotBundlesAreNamedWithTheReason() throws Exception {
        Path corrupt = Files.write(home.resolve("plugins/corrupt.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, 1, 2, 3});
        Path plain = home.resolve("plugins/plain.jar");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(plain))) {
            jar.putNextEntry(new java.util.jar.JarEntry("a.txt"));
            jar.write("not a bundle".getBytes(StandardCharsets.UTF_8));
        }
        Result r = run("list");
        assertTrue(r.out().contains("corrupt.jar (plugins/): not a readable jar"), r.out());
        assertTrue(r.out().contains("plain.jar (plugins/): not an OSGi bundle: no META-INF/MANIFEST.MF"), r.out());
        assertEquals(0, run("info MobileFaceNet").status());
        Files.delete(corrupt);
        Files.delete(plain);
        assertFalse(run("list").out().contains("Not available"));
    }

    @Test
    void pluginThatFailsToConstructOrRejectsItsDefaultsIsReportedNotOffered() throws Exception {
        Path jar = home.resolve("plugins/bad-plugins.jar");
        new ThirdPartyBundle("com.example.badplugins")
                .source("com.example.bad.Throws", """
                        package com.example.bad;
                        public final class Throws implements io.facex.api.Head<String> {
                            public Throws() { throw new IllegalStateException("no licence file"); }
                            public String name() { return "Throws"; }
                            public String description() { return ""; }
                            public Class<String> configType() { return String.class; }
                            public String defaultConfig() { return ""; }
                            public ai.djl.nn.Block build(String c, io.facex.api.HeadSize s) { return null; }
                        }
                        """)
                .source("com.example.bad.BadDefaults", """
                        package com.example.bad;
                        public final class BadDefaults implements io.facex.api.Head<String> {
                            public String name() { return "BadDefaults"; }
                            public String description() { return "rejects its own defaults"; }
                            public Class<String> configType() { return String.class; }
                            public String defaultConfig() { return "x"; }
                            public void validate(String c) { throw new io.facex.api.InvalidConfigException("scale", "must be > 0"); }
                            public ai.djl.nn.Block build(String c, io.facex.api.HeadSize s) { return null; }
                        }
                        """)
                .source("com.example.bad.Good", """
                        package com.example.bad;
                        public final class Good implements io.facex.api.Head<String> {
                            public String name() { return "GoodHead"; }
                            public String description() { return "fine"; }
                            public Class<String> configType() { return String.class; }
                            public String defaultConfig() { return "x"; }
                            public ai.djl.nn.Block build(String c, io.facex.api.HeadSize s) { return null; }
                        }
                        """)
                .service("io.facex.api.Head", "com.example.bad.Throws\ncom.example.bad.BadDefaults\ncom.example.bad.Good\ncom.example.bad.Missing")
                .writeTo(jar);
        Result r = awaitList(out -> out.contains("GoodHead"), "the good head of a bundle with bad ones");
        assertTrue(r.out().contains("com.example.bad.Throws (com.example.badplugins 1.0.0): IllegalStateException: no licence file"), r.out());
        assertTrue(r.out().contains("com.example.bad.BadDefaults (com.example.badplugins 1.0.0): InvalidConfigException: scale: must be > 0"), r.out());
        assertTrue(r.out().contains("com.example.bad.Missing (com.example.badplugins 1.0.0): ClassNotFoundException"), r.out());
        assertFalse(r.out().matches("(?s).*head +(Throws|BadDefaults) .*"), r.out());
        Files.delete(jar);
        awaitList(out -> !out.contains("GoodHead") && !out.contains("no licence"), "the bad plugins to go");
    }

    @Test
    void jobHoldingAPluginWhoseBundleGoesAwayFinishesOrStopsClearly() throws Exception {
        Path jar = home.resolve("plugins/slow.jar");
        ThirdPartyBundle.tinyNet("1.0.0", "slow tiny backbone").writeTo(jar);
        awaitList(out -> out.contains("slow tiny backbone"), "the slow TinyNet");
        Path conf = home.resolve("slow.yaml");
        Files.writeString(conf, "TinyNet:\n  delay_ms: 3000\n");
        CompletableFuture<Result> job = CompletableFuture.supplyAsync(() -> run("info -c " + conf + " TinyNet"));
        Thread.sleep(500);
        Files.delete(jar);
        awaitList(out -> !out.contains("TinyNet"), "TinyNet to disappear while in use");
        Result r = job.get(60, TimeUnit.SECONDS);
        if (r.status() == 0) {
            assertTrue(r.out().contains("parameters:"), r.out());
        } else {
            assertTrue(r.err().contains("plugin TinyNet (com.example.tinynet 1.0.0) was removed while in use"), r.err());
        }
        assertEquals(0, run("info MobileFaceNet").status(), "the container keeps running");
    }

    /** The LFW rows of a listing, by version: the bundle that resolves the name LFW. */
    static List<String> lfwVersions(String listing) {
        Matcher m = Pattern.compile("(?m)^\\S+ +LFW +.* facex-protocol-lfw +(\\S+) *$").matcher(listing);
        List<String> versions = new ArrayList<>();
        while (m.find()) {
            versions.add(m.group(1));
        }
        return versions;
    }

    static Path builtInLfw(Path home) throws IOException {
        try (Stream<Path> jars = Files.list(home.resolve("bundles"))) {
            return jars.filter(j -> j.getFileName().toString().startsWith("facex-protocol-lfw-")).findFirst().orElseThrow();
        }
    }

    /** A copy of a bundle with another Bundle-Version, as a newer release of it would be. */
    static void withVersion(Path jar, String version, Path copy) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().putValue(Constants.BUNDLE_VERSION, version);
            Path part = copy.resolveSibling(copy.getFileName() + ".part"); // FileInstall watches *.jar only
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(part), mf)) {
                for (JarEntry e : java.util.Collections.list(in.entries())) {
                    if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(out);
                    }
                }
            }
            Files.move(part, copy, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void assertBuiltInLfwActive() {
        List<Bundle> lfw = Stream.of(container.context().getBundles())
                .filter(b -> "facex-protocol-lfw".equals(b.getSymbolicName())).toList();
        assertEquals(1, lfw.size(), "LFW bundles: " + lfw);
        assertTrue(lfw.get(0).getLocation().contains("/bundles/"), lfw.get(0).getLocation());
        assertEquals(Bundle.ACTIVE, lfw.get(0).getState());
    }

    @Test
    void aCopyOfABuiltInBundleInPluginsIsRefusedAndDeletingItLeavesTheBuiltIn() throws Exception {
        Path builtIn = builtInLfw(home);
        String version = lfwVersions(run("list").out()).get(0);
        for (int i = 0; i < 3; i++) {
            String name = "lfw-copy-" + i + ".jar";
            Path copy = home.resolve("plugins").resolve(name);
            Files.copy(builtIn, copy);
            Result r = awaitList(out -> out.contains(name), "the copy to be refused");
            assertTrue(r.out().contains(name + " (plugins/): not installed: the built-in bundle facex-protocol-lfw "
                    + version + " (bundles/" + builtIn.getFileName() + ") is already installed"), r.out());
            assertEquals(List.of(version), lfwVersions(r.out()), r.out());
            assertBuiltInLfwActive();

            Files.delete(copy);
            awaitList(out -> !out.contains(name), "the refusal to go with the file");
            Thread.sleep(3 * 200); // a few scans: nothing else may go with it
            assertEquals(List.of(version), lfwVersions(run("list").out()));
            assertBuiltInLfwActive();
        }
    }

    @Test
    void aNewerVersionOfABuiltInReplacesItUntilItIsDeleted() throws Exception {
        Path builtIn = builtInLfw(home);
        String version = lfwVersions(run("list").out()).get(0);
        Path newer = home.resolve("plugins/lfw-newer.jar");
        withVersion(builtIn, "99.0.0", newer);
        Result r = awaitList(out -> lfwVersions(out).equals(List.of("99.0.0")), "the newer LFW to resolve the name");
        assertFalse(r.out().contains("Not available"), r.out());
        assertEquals(0, run("info LFW").status());

        Files.delete(newer);
        awaitList(out -> lfwVersions(out).equals(List.of(version)), "the built-in LFW back");
        assertBuiltInLfwActive();

        // an older one is refused: the built-in stays
        Path older = home.resolve("plugins/lfw-older.jar");
        withVersion(builtIn, "0.0.1", older);
        Result o = awaitList(out -> out.contains("lfw-older.jar (plugins/): not installed"), "the older copy to be refused");
        assertEquals(List.of(version), lfwVersions(o.out()));
        Files.delete(older);
        awaitList(out -> !out.contains("lfw-older.jar"), "the refusal to go");
        assertBuiltInLfwActive();
    }

    @Test
    void aRefusedCopyOverwrittenByANewerVersionIsInstalled() throws Exception {
        Path builtIn = builtInLfw(home);
        String version = lfwVersions(run("list").out()).get(0);
        Path jar = home.resolve("plugins/lfw-mine.jar");
        Files.copy(builtIn, jar);
        awaitList(out -> out.contains("lfw-mine.jar (plugins/): not installed"), "the copy to be refused");
        Thread.sleep(1100); // a later modification time than the copy's, whatever the file system's resolution
        withVersion(builtIn, "99.0.0", jar);
        Result r = awaitList(out -> lfwVersions(out).equals(List.of("99.0.0")), "the same file, newer, to be installed");
        assertFalse(r.out().contains("lfw-mine.jar"), r.out());
        Files.delete(jar);
        awaitList(out -> lfwVersions(out).equals(List.of(version)), "the built-in LFW back");
        assertBuiltInLfwActive();
    }

    @Test
    void aCopyAlreadyInPluginsAtStartIsRefusedToo() throws Exception {
        Path home2 = Dist.newHome();
        Files.copy(builtInLfw(home2), home2.resolve("plugins/lfw.jar"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FacexContainer c = FacexContainer.start(home2, false, Map.of(FacexContainer.POLL_PROPERTY, "200"),
                new PrintStream(log, true, StandardCharsets.UTF_8))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, c.execute("list", out, new ByteArrayOutputStream()));
            String listing = out.toString(StandardCharsets.UTF_8);
            assertTrue(listing.contains("lfw.jar (plugins/): not installed: the built-in bundle facex-protocol-lfw"), listing);
            assertEquals(1, lfwVersions(listing).size(), listing);
            assertEquals(1, Stream.of(c.context().getBundles())
                    .filter(b -> "facex-protocol-lfw".equals(b.getSymbolicName())).count());
        }
    }
}
