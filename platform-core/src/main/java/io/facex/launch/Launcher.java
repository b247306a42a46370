package io.facex.launch;

import io.facex.core.jobs.ProcessShutdown;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * {@code bin/facex}: with no arguments opens the interactive shell; with arguments runs one command
 * ({@code bin/facex list}, {@code bin/facex info MobileFaceNet}) and exits with its status.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        // Taken before the framework starts: Gogo replaces System.out/err with per-session streams.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(USAGE);
            System.exit(0);
        }
        Path home = Path.of(System.getProperty("facex.home", ".")).toAbsolutePath().normalize();
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        args = takeThreads(args);
        String[] rest = takeVerbose(args);
        quietLibraries(rest.length < args.length || isSet(System.getenv("FACEX_VERBOSE")));
        args = rest;
        if (args.length > 0 || System.console() == null) {
            // No console to drive (a one-shot command, or the shell fed through a pipe): tell JLine so,
            // instead of letting it warn that it could not find one.
            System.setProperty("org.jline.terminal.dumb", "true");
        }
        int status;
        try (FacexContainer c = FacexContainer.start(home, args.length == 0, Map.of(), err)) {
            if (args.length == 0) {
                c.awaitStop();
                status = c.exitStatus();
            } else if (args[0].equals("help")) {
                if (args.length == 1) {
                    out.print(USAGE); // 'help COMMAND' is about that command alone
                }
                status = c.execute(args.length > 1 ? "help facex:" + args[1] : "help", out, err);
            } else {
                status = c.execute(commandLine(args), out, err);
            }
        } catch (Exception e) {
            if (!ProcessShutdown.inProgress()) {
                err.println("facex: " + FacexContainer.rootMessage(e));
            } // else Ctrl-C during the start: the exit status says so, and what broke is its echo
            status = 2;
        }
        out.flush();
        // After Ctrl-C or SIGTERM this waits for the shutdown under way, whose status wins: 130 or 143
        // (128 + the signal's number), what shells expect of an interrupted command.
        System.exit(status);
    }

    /**
     * {@code --threads N} is a launcher option for every command: libtorch's thread count must be set
     * before the engine loads, so it becomes a system property here and is removed from the command.
     */
    static String[] takeThreads(String[] args) {
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads") && i + 1 < args.length) {
                System.setProperty("ai.djl.pytorch.num_threads", args[++i]);
                System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            } else {
                rest.add(args[i]);
            }
        }
        return rest.toArray(String[]::new);
    }

    /** {@code --verbose} is a launcher option for every command, removed from the command like {@code --threads}. */
    static String[] takeVerbose(String[] args) {
        return java.util.Arrays.stream(args).filter(a -> !a.equals("--verbose")).toArray(String[]::new);
    }

    private static boolean isSet(String env) {
        return env != null && !env.isBlank() && !env.equals("0") && !env.equalsIgnoreCase("false");
    }

    /**
     * The libraries' log levels, before anything logs: by default warnings and errors only (the levels of
     * {@code simplelogger.properties}, which a plain {@code java -cp 'lib/*'} run reads too), and libtorch's
     * C++ warnings off; verbose, every SLF4J level at info and libtorch at its own default. Set as system
     * properties, so neither depends on the class loader that happens to log first, and only where the user
     * has set none ({@code FACEX_OPTS=-D...}). libtorch follows {@code TORCH_CPP_LOG_LEVEL} when that is set.
     */
    static void quietLibraries(boolean verbose) {
        Properties levels = new Properties();
        try (InputStream in = Launcher.class.getResourceAsStream("/simplelogger.properties")) {
            if (in != null) {
                levels.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : levels.stringPropertyNames()) {
            boolean level = key.equals("org.slf4j.simpleLogger.defaultLogLevel")
                    || key.startsWith("org.slf4j.simpleLogger.log.");
            if (System.getProperty(key) == null) {
                System.setProperty(key, verbose && level ? "info" : levels.getProperty(key));
            }
        }
        if (!verbose && System.getProperty(TORCH_LOG_LEVEL) == null) {
            System.setProperty(TORCH_LOG_LEVEL, "ERROR");
        }
    }

    /** The property io.facex.core.nn.TorchLog reads (a class private to the core bundle). */
    static final String TORCH_LOG_LEVEL = "facex.torch.log_level";

    /** Joins arguments into a Gogo command line, quoting what the shell would otherwise split or expand. */
    static String commandLine(String[] args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (a.isEmpty() || a.matches(".*[\\s\"'$;|&<>(){}\\[\\]\\\\].*")) {
                sb.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$")).append('"');
            } else {
                sb.append(a);
            }
        }
        return sb.toString();
    }

    private static final String USAGE = """
            Usage: facex [COMMAND [OPTIONS] [ARGS]]

            With no command, opens the interactive shell (Gogo; 'help' lists every command, 'exit' leaves,
            'exit N' leaves with status N).
            With a command, runs it and exits with its status: 0 ok, 1 command failed, 2 platform failed,
            130 interrupted by Ctrl-C (143 by SIGTERM); an interrupted training saves where it was first.

            Commands:
              list [-f text|md|csv|json]      every installed plugin by kind, with bundle and version
              info [-k KIND] [-c FILE] NAME   a plugin's description, configuration and parameter count
              quickstart [--out DIR]          the main job: synthetic faces, training, every benchmark
              train --data_root ... | --config FILE   train (any option of the mode; --help lists them)
              eval -d data_conf.yaml -m CKPT|DIR      evaluate on LFW, CPLFW, CALFW, AgeDB30, RFW, MegaFace, ...
              embed -w WEIGHTS -i LIST|NPY -o OUT.npy features of images or a face batch
              detect IMG [--annotate OUT.png] faces in a photo: boxes, scores, five landmarks (JSON)
              crop IMG [-o DIR]               each face cropped to the 112x112 recognition input
              compare -w CKPT IMG1 IMG2       similarity of two photos' faces, same/different
              align -o OUT ROOT               raw benchmark photos -> aligned crops for eval
              addmask -o OUT IMG|DIR          synthetic face masks (FMA-3D); also --list L --data_root R
              trainlist ROOT LIST             a training list from a folder of identity folders
              shallowlist --images 2 FULL OUT a shallow list (at most N images of each identity)
              shallow [--seeds 0,1,2]         semi-siamese against conventional training on shallow faces
              masked [--out DIR]              the masked-face recipes on synthetic MegaFace-Mask
              bench [NAME [--option v ...]]   the benchmarks (train, infer, detect, sdk, extract, ...)
              help [COMMAND]                  this text, or a command's options

            Any command takes --threads N (libtorch's intra-op threads; default: all cores) and --verbose
            (the libraries' log lines: DJL's INFO, libtorch's C++ warnings; also FACEX_VERBOSE=1).

            Plugins: drop a plugin bundle (.jar) into plugins/ and it is available at once; remove it
            and it is gone. A newer version of a built-in bundle replaces it until removed; a copy at the
            same or an older version is refused ('list' says why). Environment: FACEX_OPTS adds JVM
            options (e.g. -Xmx8g).
            """;
}
