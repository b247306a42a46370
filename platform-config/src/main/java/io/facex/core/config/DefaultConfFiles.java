package io.facex.core.config;

import io.facex.api.Plugin;
import io.facex.api.PluginKind;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginProblem;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.registry.ServiceLoaderRegistry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes the distribution's default {@code conf/backbone_conf.yaml} and {@code conf/head_conf.yaml}
 * from the defaults of the plugins installed, in FaceX-Zoo's layout: one section per plugin name,
 * snake_case keys, each section preceded by the plugin's description. The assembly build runs it over
 * the distribution's class path; a user can run it again after dropping plugins into {@code plugins/}:
 *
 * <pre>java -cp 'lib/*:bundles/*:plugins/*' io.facex.core.config.DefaultConfFiles conf</pre>
 *
 * <p>A published plugin the platform cannot offer (it fails to load, or rejects its own defaults) stops
 * the generation: the build must not ship a configuration silently missing a section.
 */
public final class DefaultConfFiles {

    /** The files, FaceX-Zoo's names, and the kinds they hold. */
    public static final Map<String, PluginKind> FILES = files();

    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");

    private DefaultConfFiles() {
    }

    private static Map<String, PluginKind> files() {
        Map<String, PluginKind> m = new LinkedHashMap<>();
        m.put("backbone_conf.yaml", PluginKind.BACKBONE);
        m.put("head_conf.yaml", PluginKind.HEAD);
        return m;
    }

    /**
     * Writes every file of {@link #FILES} into {@code dir} (created if needed).
     *
     * @return the files written
     * @throws IllegalStateException if the registry has problems (a plugin that cannot be offered)
     */
    public static List<Path> write(PluginRegistry registry, Path dir) throws IOException {
        List<PluginProblem> problems = registry.problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cannot write the default configurations: " + problems.size()
                    + " published plugin(s) cannot be offered: " + problems);
        }
        Files.createDirectories(dir);
        List<Path> written = new java.util.ArrayList<>();
        for (Map.Entry<String, PluginKind> f : FILES.entrySet()) {
            List<Plugin<?>> plugins = registry.list().stream().filter(p -> p.kind().equals(f.getValue()))
                    .map(PluginInfo::plugin).<Plugin<?>>map(p -> p).toList();
            written.add(Files.writeString(dir.resolve(f.getKey()), render(f.getValue(), f.getKey(), plugins),
                    StandardCharsets.UTF_8));
        }
        return written;
    }

    /** One file: the header, then each plugin's defaults under its name, in the order given. */
    public static String render(PluginKind kind, String fileName, List<? extends Plugin<?>> plugins) {
        String what = kind.id();
        StringBuilder out = new StringBuilder();
        String kind0 = Character.toUpperCase(what.charAt(0)) + what.substring(1);
        out.append("# ").append(kind0).append(" configurations in FaceX-Zoo's layout (training_mode/").append(fileName)
                .append("):\n# one section per ").append(what).append(" name, keys in snake_case; FaceX-Zoo's own file works unchanged.\n")
                .append("# Only the section of the ").append(what).append(" a job selects is read, and its keys are checked: an\n")
                .append("# unknown or ill-typed key is an error naming the file, the line and the key. Keys left out keep\n")
                .append("# the plugin's defaults (`facex info NAME`).\n")
                .append("#\n")
                .append("# Generated when the distribution was built, from the defaults of every ").append(what).append(" installed\n")
                .append("# (io.facex.core.config.DefaultConfFiles). To regenerate it, e.g. after dropping plugins into\n")
                .append("# plugins/, run in the distribution's folder:\n")
                .append("#   java -cp 'lib/*:bundles/*:plugins/*' io.facex.core.config.DefaultConfFiles conf\n");
        if (plugins.isEmpty()) {
            out.append("#\n# (no ").append(what).append(" installed)\n");
        }
        for (Plugin<?> p : plugins) {
            out.append('\n').append("# ").append(p.description().replace('\n', ' ')).append('\n')
                    .append(section(p.name())).append(":\n");
            for (String line : Configs.toYaml(p.defaultConfig()).split("\n")) {
                if (!line.isEmpty()) {
                    out.append("    ").append(line).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String section(String name) {
        return PLAIN_NAME.matcher(name).matches() ? name : "'" + name.replace("'", "''") + "'";
    }

    /**
     * Writes the files into the folder given (the distribution's {@code conf/}) from the plugins on the
     * class path.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp 'lib/*:bundles/*:plugins/*' " + DefaultConfFiles.class.getName() + " CONF_DIR");
            System.exit(2);
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        PluginRegistry registry = new ServiceLoaderRegistry(loader != null ? loader : DefaultConfFiles.class.getClassLoader());
        for (Path p : write(registry, Path.of(args[0]))) {
            System.out.println("wrote " + p);
        }
    }
}
