package io.facex.weights;

import java.util.HashMap;
import java.util.Map;

/**
 * The allow-list of Python globals a checkpoint's pickle may name: exactly what {@code torch.save} of a
 * state dict (or of a dict wrapping one) emits in torch 1.x and 2.x. Everything else is refused, because
 * in Python resolving and calling a global is how a pickle runs arbitrary code.
 */
final class TorchGlobals {

    /** Callables the unpickler knows how to emulate. */
    enum Callable {
        ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, TORCH_SIZE
    }

    /** {@code torch.FloatStorage} and friends: only ever used as the element type of a persistent id. */
    record StorageType(String name, DType dtype) {
    }

    /** {@code torch.float32} and friends, which may appear as values (e.g. in tensor metadata). */
    record TorchDType(String name, DType dtype) {
    }

    private static final Map<String, Object> ALLOWED = new HashMap<>();

    static {
        ALLOWED.put("collections.OrderedDict", Callable.ORDERED_DICT);
        ALLOWED.put("torch._utils._rebuild_tensor_v2", Callable.REBUILD_TENSOR_V2);
        ALLOWED.put("torch._utils._rebuild_parameter", Callable.REBUILD_PARAMETER);
        ALLOWED.put("torch._utils._rebuild_parameter_with_state", Callable.REBUILD_PARAMETER_WITH_STATE);
        ALLOWED.put("torch.Size", Callable.TORCH_SIZE);
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

    /** The stand-in for an allowed global, or null if it is not allowed. */
    static Object lookup(String module, String name) {
        return ALLOWED.get(canonicalModule(module) + "." + name);
    }
}
