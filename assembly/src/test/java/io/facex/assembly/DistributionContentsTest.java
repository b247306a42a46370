package io.facex.assembly;

import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.core.config.DefaultConfFiles;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the build put in the distribution: every plugin module of the source tree ships in bundles/, and
 * conf/*.yaml were generated from the installed plugins' defaults, bind back to them through the strict
 * binder, and are what the command in their header regenerates.
 */
class DistributionContentsTest {

    /** The plugins of the distribution: the assembly's class path holds the same plugin jars as bundles/. */
    private final PluginRegistry registry = PluginRegistry.onClassPath();

    @Test
    void everyInstalledBackboneAndHeadHasAGeneratedSectionThatBindsToItsDefaults() throws IOException {
        assertTrue(registry.problems().isEmpty(), registry.problems().toString());
        for (Map.Entry<String, PluginKind> f : DefaultConfFiles.FILES.entrySet()) {
            Path file = Dist.folder().resolve("conf").resolve(f.getKey());
            String text = Files.readString(file);
            assertTrue(text.contains("\n# Generated when the distribution was built") && text.contains(
                    "\n#   java -cp 'lib/*:bundles/*:plugins/*' io.facex.core.config.DefaultConfFiles conf\n"), text);
            ConfigDocument doc = ConfigDocument.read(file);
            List<PluginInfo> installed = registry.list().stream().filter(p -> p.kind().equals(f.getValue())).toList();
            assertFalse(installed.isEmpty(), f.getValue().id());
            assertEquals(installed.stream().map(PluginInfo::name).toList(), doc.sections(), file.toString());
            for (PluginInfo p : installed) {
                assertBindsToDefaults(p.plugin(), doc);
            }
        }
    }

    private static <C> void assertBindsToDefaults(Plugin<C> plugin, ConfigDocument doc) {
        assertEquals(plugin.defaultConfig(), Configs.bind(plugin, doc, plugin.name()), plugin.name());
    }

    /** The command the files' header gives, run in the distribution's folder, writes the same files. */
    @Test
    void theCommandInTheHeaderRegeneratesThem(@TempDir Path out) throws Exception {
        Path conf = Files.createDirectories(out.resolve("conf"));
        String log = regenerate(Dist.folder(), conf);
        for (String name : DefaultConfFiles.FILES.keySet()) {
            assertTrue(log.contains("wrote " + conf.resolve(name)), log);
            assertEquals(Files.readString(Dist.folder().resolve("conf").resolve(name)), Files.readString(conf.resolve(name)), name);
        }
    }

    /** Runs {@code java -cp 'lib/*:bundles/*:plugins/*' io.facex.core.config.DefaultConfFiles CONF} in {@code home}. */
    static String regenerate(Path home, Path conf) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", "lib/*:bundles/*:plugins/*", DefaultConfFiles.class.getName(), conf.toString())
                .directory(home.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), log);
        assertEquals(0, p.exitValue(), log);
        return log;
    }

    /**
     * A plugin folder built by the reactor but missing from its family pom's dependencies would not ship:
     * every module under plugins-* with a META-INF/services file has its jar in bundles/.
     */
    @Test
    void everyPluginModuleOfTheSourceTreeShips() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> modules = new ArrayList<>();
        try (Stream<Path> families = Files.list(root)) {
            for (Path family : families.filter(d -> d.getFileName().toString().startsWith("plugins-") && Files.isDirectory(d)).toList()) {
                try (Stream<Path> plugins = Files.list(family)) {
                    for (Path module : plugins.filter(m -> Files.isDirectory(m.resolve("src/main/resources/META-INF/services"))).toList()) {
                        String artifact = artifactId(module.resolve("pom.xml"));
                        modules.add(artifact);
                        try (Stream<Path> jars = Files.list(Dist.folder().resolve("bundles"))) {
                            assertTrue(jars.anyMatch(j -> j.getFileName().toString().startsWith(artifact + "-")),
                                    root.relativize(module) + " (" + artifact + ") is built but not in the distribution: list it in "
                                            + root.relativize(family.resolve("pom.xml")) + " under <dependencies> too: <dependency><groupId>io.facex"
                                            + "</groupId><artifactId>" + artifact + "</artifactId><version>${project.version}</version></dependency>");
                        }
                    }
                }
            }
        }
        assertTrue(modules.contains("facex-backbone-mobilefacenet") && modules.contains("facex-protocol-lfw"), modules.toString());
    }

    private static String artifactId(Path pom) throws IOException {
        String text = Files.readString(pom);
        Matcher m = Pattern.compile("</parent>.*?<artifactId>([^<]+)</artifactId>", Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), pom.toString());
        return m.group(1);
    }
}
