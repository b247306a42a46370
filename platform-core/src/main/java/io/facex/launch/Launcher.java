package io.facex.launch;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

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
        if (args.length > 0) {
            // No console to drive: tell JLine so, instead of letting it warn that it could not find one.
            System.setProperty("org.jline.terminal.dumb", "true");
        }
        int status;
        try (FacexContainer c = FacexContainer.start(home, args.length == 0, Map.of(), err)) {
            if (args.length == 0) {
                c.awaitStop();
                status = 0;
            } else if (args[0].equals("help")) {
                out.print(USAGE);
                status = c.execute(args.length > 1 ? "help facex:" + args[1] : "help", out, err);
            } else {
                status = c.execute(commandLine(args), out, err);
            }
        } catch (Exception e) {
            err.println("facex: " + FacexContainer.rootMessage(e));
            status = 2;
        }
        out.flush();
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

            With no command, opens the interactive shell (Gogo; 'help' lists every command, 'exit' leaves).
            With a command, runs it and exits with its status (0 ok, 1 command failed, 2 platform failed).

            Commands:
              list [-f text|md|csv|json]      every installed plugin by kind, with bundle and version
              info [-k KIND] [-c FILE] NAME   a plugin's description, configuration and parameter count
              quickstart [--out DIR]          the main job: synthetic faces, training, every benchmark
              train --data_root ... | --config FILE   train (FaceX-Zoo train.py's options); --resume continues
              eval -d data_conf.yaml -m CKPT|DIR      evaluate on LFW, CPLFW, CALFW, AgeDB30, RFW, MegaFace, ...
              embed -w WEIGHTS -i LIST|NPY -o OUT.npy features of images or a face batch
              trainlist ROOT LIST             a training list from a folder of identity folders
              bench train|loader|extract      throughput, median after warm-up
              help [COMMAND]                  this text, or a command's options

            Any command takes --threads N (libtorch's intra-op threads; default: all cores).

            Plugins: drop a plugin bundle (.jar) into plugins/ and it is available at once; remove it
            and it is gone. Environment: FACEX_OPTS adds JVM options (e.g. -Xmx8g).
            """;
}
