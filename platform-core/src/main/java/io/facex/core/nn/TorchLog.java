package io.facex.core.nn;

import com.sun.jna.NativeLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * libtorch's C++ log threshold. libtorch prints its warnings to stderr (for instance "AutoNonVariableTypeMode
 * is deprecated", which DJL's JNI triggers when it copies data into a tensor) when their level reaches c10's
 * {@code FLAGS_caffe2_log_level} (default WARNING). PyTorch documents {@code TORCH_CPP_LOG_LEVEL} as the
 * switch, but libtorch reads that variable only in {@code c10::initLogging()}, which Python's {@code torch}
 * calls on import and DJL never does: set on its own it changes nothing in a JVM (checked with libtorch
 * 2.7.1). So once the engine has loaded its libraries, {@link Djl} has this write the level into the flag:
 * {@code TORCH_CPP_LOG_LEVEL} when it is set, else the system property {@value #PROPERTY} (the launcher sets
 * ERROR unless {@code --verbose}), else nothing (libtorch's default).
 */
final class TorchLog {

    /** System property: libtorch's log level when {@code TORCH_CPP_LOG_LEVEL} is not set. */
    static final String PROPERTY = "facex.torch.log_level";

    /** c10's levels, in the order of their numbers (0 INFO ... 3 FATAL), as TORCH_CPP_LOG_LEVEL spells them. */
    static final List<String> LEVELS = List.of("INFO", "WARNING", "ERROR", "FATAL");

    private static final Logger LOG = LoggerFactory.getLogger(TorchLog.class);

    private TorchLog() {
    }

    /** Applies the configured level, if any; a failure only leaves libtorch's default, and says so at INFO. */
    static void apply() {
        String env = System.getenv("TORCH_CPP_LOG_LEVEL");
        String source = env != null && !env.isBlank() ? "TORCH_CPP_LOG_LEVEL" : PROPERTY;
        String value = source.equals(PROPERTY) ? System.getProperty(PROPERTY) : env;
        if (value == null || value.isBlank()) {
            return;
        }
        int level = parse(value);
        if (level < 0) {
            LOG.warn("{}={}: not one of INFO, WARNING, ERROR, FATAL (or 0-3); libtorch keeps its default", source, value);
            return;
        }
        try {
            flag().setInt(0, level);
        } catch (RuntimeException | LinkageError e) {
            LOG.info("cannot set libtorch's log level ({}): {}", source, e.toString());
        }
    }

    /** The level's number, or -1 if it is none of INFO, WARNING, ERROR, FATAL, 0-3 (any case, as PyTorch accepts). */
    static int parse(String level) {
        String l = level.strip().toUpperCase(Locale.ROOT);
        if (l.matches("[0-3]")) {
            return l.charAt(0) - '0';
        }
        return LEVELS.indexOf(l);
    }

    /** The level libtorch logs at now. */
    static int current() {
        return flag().getInt(0);
    }

    private static com.sun.jna.Pointer flag() {
        // DJL has loaded libc10 from here by System.load; opening it again yields the same, loaded copy
        Path c10 = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath(), System.mapLibraryName("c10"));
        return NativeLibrary.getInstance(c10.toString()).getGlobalVariableAddress("FLAGS_caffe2_log_level");
    }
}
