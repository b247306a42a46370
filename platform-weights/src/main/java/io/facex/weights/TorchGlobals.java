package io.facex.weights;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Python globals a checkpoint's pickle may name. The allow-list is exactly what {@code torch.save} of
 * a state dict (or of a dict wrapping one, or of a whole module's containers) emits in torch 1.x and 2.x;
 * those are emulated. Modules that hold no model classes but run code when called ({@link #isForbidden})
 * are refused by name. Any other global can only stand for a class created empty (see
 * {@link RestrictedUnpickler}), because in Python resolving and calling a global is how a pickle runs
 * arbitrary code.
 */
final class TorchGlobals {

    /** Callables the unpickler knows how to emulate. */
    enum Callable {
        ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, TORCH_SIZE, SET,
        TORCH_DEVICE
    }

    /** {@code torch.FloatStorage} and friends: only ever used as the element type of a persistent id. */
    record StorageType(String name, DType dtype) {
    }

    /** {@code torch.float32} and friends, which may appear as values (e.g. in tensor metadata). */
    record TorchDType(String name, DType dtype) {
    }

    private static final Map<String, Object> ALLOWED = new HashMap<>();

    /**
     * Top-level modules of the interpreter and standard library whose callables execute commands, code,
     * imports, attribute lookups or I/O. No nn.Module lives there, so naming anything in them is refused
     * outright (defence in depth: even as an inert placeholder nothing would be called).
     */
    private static final Set<String> FORBIDDEN_MODULES = Set.of(
            "builtins", "os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "importlib", "runpy", "code",
            "codeop", "ctypes", "pickle", "_pickle", "marshal", "pty", "io", "_io", "types", "functools", "operator",
            "multiprocessing", "threading", "_thread", "asyncio", "signal", "tempfile", "pathlib", "platform",
            "webbrowser", "inspect", "gc", "copyreg", "commands", "popen2", "pdb", "timeit", "trace", "profile",
            "cProfile", "site", "zipimport", "pkgutil", "ssl", "http", "urllib", "ftplib", "smtplib", "telnetlib");

    static {
        ALLOWED.put("collections.OrderedDict", Callable.ORDERED_DICT);
        ALLOWED.put("torch._utils._rebuild_tensor_v2", Callable.REBUILD_TENSOR_V2);
        ALLOWED.put("torch._utils._rebuild_parameter", Callable.REBUILD_PARAMETER);
        ALLOWED.put("torch._utils._rebuild_parameter_with_state", Callable.REBUILD_PARAMETER_WITH_STATE);
        ALLOWED.put("torch.Size", Callable.TORCH_SIZE);
        ALLOWED.put("torch.device", Callable.TORCH_DEVICE);
        ALLOWED.put("builtins.set", Callable.SET);
        storage("Float", DType.FLOAT32);
        storage("Double", DType.FLOAT64);
        storage("Half", DType.FLOAT16);
        storage("BFloat16", DType.BFLOAT16);
        storage("Long", DType.INT64);
        storage("Int", DType.INT32);
        storage("Short", DType.INT16);
        storage("Char", DType.INT8);
        storage("Byte", DType.UINT8);
        storage("Bool", DType.BOOL);
        dtype(DType.FLOAT32, "float32", "float");
        dtype(DType.FLOAT64, "float64", "double");
        dtype(DType.FLOAT16, "float16", "half");
        dtype(DType.BFLOAT16, "bfloat16");
        dtype(DType.INT64, "int64", "long");
        dtype(DType.INT32, "int32", "int");
        dtype(DType.INT16, "int16", "short");
        dtype(DType.INT8, "int8");
        dtype(DType.UINT8, "uint8");
        dtype(DType.BOOL, "bool");
    }

    private TorchGlobals() {
    }

    private static void storage(String prefix, DType dtype) {
        String name = "torch." + prefix + "Storage";
        ALLOWED.put(name, new StorageType(name, dtype));
    }

    private static void dtype(DType dtype, String... names) {
        for (String n : names) {
            ALLOWED.put("torch." + n, new TorchDType("torch." + n, dtype));
        }
    }

    /** Python 2 module names that protocol-2 pickles use for Python 3's (pickle's fix_imports). */
    static String canonicalModule(String module) {
        return switch (module) {
            case "__builtin__" -> "builtins";
            case "copy_reg" -> "copyreg";
            default -> module;
        };
    }

    /** True if {@code module} (or its top-level package) is one whose globals are refused by name. */
    static boolean isForbidden(String module) {
        String canonical = canonicalModule(module);
        int dot = canonical.indexOf('.');
        return FORBIDDEN_MODULES.contains(dot < 0 ? canonical : canonical.substring(0, dot))
                || canonical.isEmpty();
    }

    /** The stand-in for an allowed global, or null if it is not allowed. */
    static Object lookup(String module, String name) {
        return ALLOWED.get(canonicalModule(module) + "." + name);
    }
}
