package io.facex.assembly;

import io.facex.launch.FacexContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The guide's third-party example, {@code examples/tinynet} (not a module of this build), built from its
 * sources and used as its author would: its own contract test passes, and its jar dropped into a running
 * FaceX-J's plugins/ is listed, built by {@code info}, configured from a file, and gets a section when
 * conf/ is regenerated. So the guide's example cannot rot.
 */
class ExampleBundleTest {

    static final Path EXAMPLE = Path.of("../examples/tinynet").toAbsolutePath().normalize();

    record Result(int status, String out, String err) {
    }

    @Test
    void itsContractTestPasses(@TempDir Path work) throws Exception {
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classes.toString(), "-cp", classPath(
                "io.facex.api.Backbone", "ai.djl.nn.Block", "io.facex.testkit.BackboneContract", "io.facex.core.config.Configs",
                "io.facex.weights.Tensor", "org.junit.jupiter.api.Test", "org.opentest4j.AssertionFailedError",
                "org.apiguardian.api.API")));
        args.addAll(javaFiles(EXAMPLE.resolve("src/main/java")));
        args.addAll(javaFiles(EXAMPLE.resolve("src/test/java")));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        assertEquals(0, javac.run(null, diag, diag, args.toArray(String[]::new)), diag.toString(StandardCharsets.UTF_8));
        copyTree(EXAMPLE.resolve("src/main/resources"), classes);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(loader.loadClass("com.example.tinynet.TinyNetTest"))).build();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            LauncherFactory.create().execute(request, listener);
            TestExecutionSummary summary = listener.getSummary();
            StringWriter failures = new StringWriter();
            summary.printFailuresTo(new PrintWriter(failures), 30);
            assertEquals(0, summary.getTotalFailureCount(), failures.toString());
            // BackboneContract's checks and TinyNet's own
            assertTrue(summary.getTestsSucceededCount() >= 10, "only " + summary.getTestsSucceededCount() + " tests ran");
        }
    }

    @Test
    void droppedIntoPluginsItIsListedBuiltConfiguredAndGetsAConfSection() throws Exception {
        Path home = Dist.newHome();
        Files.createSymbolicLink(home.resolve("lib"), Dist.folder().resolve("lib"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String pom = Files.readString(EXAMPLE.resolve("pom.xml"));
        String symbolicName = find(pom, "<Bundle-SymbolicName>([^<]+)</Bundle-SymbolicName>");
        String version = find(pom, "<artifactId>facex-tinynet</artifactId>\\s*<version>([^<]+)</version>");
        try (FacexContainer container = FacexContainer.start(home, false, Map.of(FacexContainer.POLL_PROPERTY, "200"),
                new PrintStream(log, true, StandardCharsets.UTF_8))) {
            ThirdPartyBundle.fromProject(EXAMPLE, symbolicName, version).writeTo(home.resolve("plugins/tinynet.jar"));
            awaitListing(container, "TinyNet", log);

            Result info = run(container, "info TinyNet");
            assertEquals(0, info.status(), info.err());
            // conv 8·3·3·3 + 8; 112 → 55 rows and columns of 8 channels, linear to 128 (+128)
            assertTrue(info.out().contains(String.format("parameters: %,d", 8 * 27 + 8 + 55 * 55 * 8 * 128 + 128)), info.out());
            assertTrue(info.out().contains("output: (N, 128)"), info.out());
            assertTrue(info.out().contains("bundle: " + symbolicName + " " + version), info.out());
            assertTrue(info.out().contains("channels: 8"), info.out());

            Path conf = Files.writeString(home.resolve("tiny.yaml"), "TinyNet:\n    feat_dim: 64\n    channels: 4\n");
            Result small = run(container, "info -c " + conf + " TinyNet");
            assertEquals(0, small.status(), small.err());
            assertTrue(small.out().contains(String.format("parameters: %,d", 4 * 27 + 4 + 55 * 55 * 4 * 64 + 64)), small.out());
            Files.writeString(conf, "TinyNet:\n    feat_dim: 64\n    chanels: 4\n");
            Result typo = run(container, "info -c " + conf + " TinyNet");
            assertEquals(1, typo.status());
            assertTrue(typo.err().contains(conf + ":3: TinyNet.chanels: unknown key for TinyNet (did you mean 'channels'?)"), typo.err());
        }
        Path regenerated = Files.createDirectories(home.resolve("regenerated"));
        DistributionContentsTest.regenerate(home, regenerated);
        String backbones = Files.readString(regenerated.resolve("backbone_conf.yaml"));
        assertTrue(backbones.contains("\n# an example third-party backbone: a strided conv and a linear layer\n"
                + "TinyNet:\n    feat_dim: 128\n    channels: 8\n"), backbones);
        assertTrue(backbones.contains("\nMobileFaceNet:\n"), backbones);
    }

    private static Result run(FacexContainer container, String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = container.execute(line, out, err);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void awaitListing(FacexContainer container, String name, ByteArrayOutputStream log) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Result r;
        do {
            r = run(container, "list");
            if (r.out().matches("(?s).*\\nbackbone +" + name + " .*")) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        fail(name + " was not listed; last listing:\n" + r.out() + "\nlog:\n" + log);
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1);
    }

    private static List<String> javaFiles(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.copy(p, target);
            }
        }
    }

    /** The jars (or class folders) of these classes, as a class path. */
    private static String classPath(String... anchors) throws Exception {
        List<String> entries = new ArrayList<>();
        for (String anchor : anchors) {
            entries.add(Path.of(Class.forName(anchor).getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
