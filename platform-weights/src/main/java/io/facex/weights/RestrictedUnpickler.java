package io.facex.weights;

import io.facex.weights.TorchGlobals.Callable;
import io.facex.weights.TorchGlobals.StorageType;
import io.facex.weights.TorchGlobals.TorchDType;

import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader written from the opcode specification (protocols 0–5 as far as a checkpoint needs)
 * that never imports or calls anything: allow-listed globals ({@link TorchGlobals}) resolve to inert
 * stand-ins whose few calls are emulated here; any other global, unless its module is one no model
 * lives in, becomes a {@link PyGlobal} name that may only create an empty {@link PyObject} (what a pickled
 * {@code nn.Module} and its layers need); calling it with arguments, calling an object, or filling an
 * object any way but {@code BUILD} with a dict is refused ({@link UnsafeWeightsException}), because in
 * Python each of those runs the class's code. Every length is checked against the bytes left, so a
 * truncated or corrupt pickle ends in a {@link WeightsException}, never an index error.
 *
 * <p>Python values become: dict → LinkedHashMap, list → ArrayList, tuple → {@link PyTuple}, set →
 * LinkedHashSet, int → Long (BigInteger when wider), float → Double, bool → Boolean, None → null, str →
 * String, bytes → byte[], tensor → {@link Tensor} (or {@link DeferredTensor} while its storage is still
 * unread), object → {@link PyObject}.
 */
final class RestrictedUnpickler {

    /**
     * A torch storage: its key, element type and raw bytes; the bytes are null while they are still
     * ahead in the stream (legacy format), and tensors on it are then {@link DeferredTensor}s.
     */
    record Storage(String key, DType dtype, byte[] bytes) {
    }

    /** Resolves a persistent id {@code ('storage', type, key, location, numel)} to the storage bytes. */
    interface StorageLoader {
        Storage load(String key, DType dtype, long numel, String location) throws WeightsException;
    }

    private static final Object MARK_SENTINEL = new Object();
    private static final int MAX_DEPTH_FOR_KEYS = 8;

    private final String fileName;
    private final String entry;
    private final PickleInput in;
    private final StorageLoader storages;
    private long opStart;

    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final List<DeferredTensor> deferred = new ArrayList<>();

    /**
     * @param fileName the file's name, for messages
     * @param entry    the pickle's zip entry, for messages (may be null)
     */
    RestrictedUnpickler(String fileName, String entry, byte[] pickle, StorageLoader storages) {
        this(fileName, entry, PickleInput.of(pickle), storages);
    }

    /**
     * Reads one pickle from {@code input}, which is left just after its STOP (more may follow).
     *
     * @param entry which pickle this is, for messages (may be null)
     */
    RestrictedUnpickler(String fileName, String entry, PickleInput input, StorageLoader storages) {
        this.fileName = fileName;
        this.entry = entry;
        this.in = input;
        this.storages = storages;
    }

    /** The tensors built on storages whose bytes were not there yet, to {@link DeferredTensor#resolve}. */
    List<DeferredTensor> deferredTensors() {
        return deferred;
    }

    Object load() throws WeightsException {
        try {
            return run();
        } catch (WeightsException e) {
            throw e;
        } catch (EOFException e) {
            throw truncatedOr("the file is shorter than its size said", true);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + where() + ": " + e, e);
        }
    }

    private Object run() throws IOException {
        try {
            while (true) {
                opStart = in.position();
                int op = u8();
                if (op == '.') {
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw corrupt("STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
                step(op);
            }
        } catch (ArithmeticException | IllegalArgumentException | ClassCastException e) {
            // Shapes that overflow, views outside their storage, values of the wrong type: all corruption.
            throw corrupt(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void step(int op) throws IOException {
        switch (op) {
            case 0x80 -> { // PROTO
                int proto = u8();
                if (proto > 5) {
                    throw corrupt("pickle protocol " + proto + " is newer than 5");
                }
            }
            case 0x95 -> skipFrame(); // FRAME: only a read-ahead hint
            case '(' -> marks.add(stack.size());
            case '0' -> pop();
            case '1' -> popMark();
            case '2' -> push(peek());
            case '}' -> push(new LinkedHashMap<>());
            case ']' -> push(new ArrayList<>());
            case ')' -> push(new PyTuple(List.of()));
            case 0x85 -> tupleOfLast(1);
            case 0x86 -> tupleOfLast(2);
            case 0x87 -> tupleOfLast(3);
            case 't' -> push(new PyTuple(popMark()));
            case 'l' -> push(new ArrayList<>(popMark()));
            case 'd' -> {
                List<Object> items = popMark();
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, items);
                push(dict);
            }
            case 'a' -> {
                Object value = pop();
                list(peek()).add(value);
            }
            case 'e' -> {
                List<Object> items = popMark();
                list(peek()).addAll(items);
            }
            case 's' -> {
                Object value = pop();
                Object key = pop();
                putPairs(dict(peek()), java.util.Arrays.asList(key, value));
            }
            case 'u' -> {
                List<Object> items = popMark();
                putPairs(dict(peek()), items);
            }
            case 'J' -> push((long) i32());
            case 'K' -> push((long) u8());
            case 'M' -> push((long) u16());
            case 0x8a -> push(longFromBytes(bytes(u8())));
            case 0x8b -> push(longFromBytes(bytes(length(i32()))));
            case 'G' -> push(Double.longBitsToDouble(i64BigEndian()));
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'X' -> push(utf8(bytes(length(u32()))));
            case 0x8c -> push(utf8(bytes(u8())));
            case 0x8d -> push(utf8(bytes(length(i64()))));
            case 'T' -> push(utf8(bytes(length(i32()))));
            case 'U' -> push(utf8(bytes(u8())));
            case 'B' -> push(bytes(length(u32())));
            case 'C' -> push(bytes(u8()));
            case 0x8e, 0x96 -> push(bytes(length(i64())));
            case 'q' -> memo.put((long) u8(), peek());
            case 'r' -> memo.put(u32(), peek());
            case 0x94 -> memo.put((long) memo.size(), peek());
            case 'h' -> push(memoGet(u8()));
            case 'j' -> push(memoGet(u32()));
            case 'p' -> memo.put(textInt(line()), peek());
            case 'g' -> push(memoGet(textInt(line())));
            case 'I' -> push(textIntOrBool(line()));
            case 'L' -> push(textLong(line()));
            case 'F' -> push(textFloat(line()));
            case 'c' -> {
                String module = utf8(line());
                String name = utf8(line());
                push(global(module, name));
            }
            case 0x93 -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw corrupt("STACK_GLOBAL needs two strings");
                }
                push(global(m, n));
            }
            case 'R' -> {
                Object args = pop();
                Object callable = pop();
                push(call(callable, tuple(args, "REDUCE arguments")));
            }
            case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                Object args = pop();
                Object cls = pop();
                push(newObject(cls, tuple(args, "NEWOBJ arguments")));
            }
            case 0x92 -> { // NEWOBJ_EX: kwargs must be empty for anything we allow
                Object kwargs = pop();
                Object args = pop();
                Object cls = pop();
                if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                    throw corrupt("NEWOBJ_EX with keyword arguments");
                }
                push(newObject(cls, tuple(args, "NEWOBJ_EX arguments")));
            }
            case 'b' -> build(pop(), peek());
            case 'Q' -> push(persistentLoad(pop()));
            default -> throw unsupported(op);
        }
    }

    // ---- the emulated calls -------------------------------------------------------------------

    private Object global(String module, String name) throws WeightsException {
        Object allowed = TorchGlobals.lookup(module, name);
        if (allowed != null) {
            return allowed;
        }
        String dotted = TorchGlobals.canonicalModule(module) + "." + name;
        if (TorchGlobals.isForbidden(module)) {
            throw refused("calls " + dotted, dotted);
        }
        return new PyGlobal(dotted);
    }

    private UnsafeWeightsException refused(String what, String dotted) {
        return new UnsafeWeightsException("refusing to load " + fileName + ": its pickle " + what
                + ", which a weights file never needs (only tensors, dicts, torch's tensor reconstruction and"
                + " inert objects created empty and filled with a dict are allowed)", dotted);
    }

    /** An instance of a non-allow-listed class may only be created empty; anything else would run its code. */
    private PyObject emptyInstance(PyGlobal cls, PyTuple args, String how) throws WeightsException {
        if (args.size() != 0) {
            throw refused("calls " + cls.name() + " with arguments (" + how + ")", cls.name());
        }
        return new PyObject(cls.name());
    }

    private Object call(Object callable, PyTuple args) throws WeightsException {
        if (callable instanceof PyGlobal g) {
            return emptyInstance(g, args, "REDUCE");
        }
        if (callable instanceof PyObject o) {
            throw refused("calls an instance of " + o.className(), o.className());
        }
        if (!(callable instanceof Callable c)) {
            throw corrupt("REDUCE on " + describe(callable) + ", which is not callable here");
        }
        return switch (c) {
            case ORDERED_DICT -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                    for (Object pair : pairs) {
                        PyTuple p = tuple(pair, "OrderedDict item");
                        putPairs(dict, p.items());
                    }
                } else if (args.size() != 0) {
                    throw corrupt("OrderedDict called with " + args.size() + " arguments");
                }
                yield dict;
            }
            case REBUILD_TENSOR_V2 -> rebuildTensor(args);
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                // (data, requires_grad, backward_hooks[, state]): a Parameter is just its tensor to us.
                if (args.size() < 3 || !(args.get(0) instanceof Tensor || args.get(0) instanceof DeferredTensor)) {
                    throw corrupt("_rebuild_parameter needs (tensor, requires_grad, hooks)");
                }
                yield args.get(0);
            }
            case SET -> {
                // Modules keep their non-persistent buffer names in a set: set() or set([names]).
                Set<Object> set = new LinkedHashSet<>();
                if (args.size() == 1 && args.get(0) instanceof List<?> items) {
                    for (Object item : items) {
                        checkHashable(item, 0);
                        set.add(item);
                    }
                } else if (args.size() != 0) {
                    throw corrupt("set called with " + args.size() + " arguments");
                }
                yield set;
            }
            case TORCH_DEVICE -> {
                // torch.device('cpu') or ('cuda', 0): kept as its description, never used.
                if (args.size() == 0 || args.size() > 2 || !(args.get(0) instanceof String type)) {
                    throw corrupt("torch.device needs (type[, index])");
                }
                yield args.size() == 2 ? type + ":" + args.get(1) : type;
            }
            case TORCH_SIZE -> {
                if (args.size() != 1) {
                    throw corrupt("torch.Size called with " + args.size() + " arguments");
                }
                Object dims = args.get(0);
                yield dims instanceof List<?> l ? new PyTuple(new ArrayList<>(l)) : tuple(dims, "torch.Size argument");
            }
        };
    }

    private Object newObject(Object cls, PyTuple args) throws WeightsException {
        if (cls == Callable.ORDERED_DICT && args.size() == 0) {
            return new LinkedHashMap<>();
        }
        if (cls instanceof PyGlobal g) {
            return emptyInstance(g, args, "NEWOBJ");
        }
        throw corrupt("NEWOBJ of " + describe(cls) + " is not supported");
    }

    private void build(Object state, Object target) throws WeightsException {
        // torch 2.x pickles an OrderedDict state dict with its `_metadata` attribute as BUILD state;
        // that metadata (module versions) means nothing to us, so it is accepted and dropped.
        if (target instanceof Map<?, ?> && (state == null || state instanceof Map<?, ?> || state instanceof PyTuple)) {
            return;
        }
        if (target instanceof PyObject o) {
            // Python's default BUILD with a dict only updates __dict__; any other state goes to the
            // class's __setstate__, i.e. its code.
            if (!(state instanceof Map<?, ?> attributes)) {
                throw refused("fills an instance of " + o.className() + " with " + describe(state)
                        + " (only a dict is inert)", o.className());
            }
            for (Object key : attributes.keySet()) {
                if (!(key instanceof String)) {
                    throw corrupt("attribute name " + describe(key) + " of " + o.className());
                }
            }
            o.update(attributes);
            return;
        }
        if (target instanceof PyGlobal g) {
            throw refused("sets state on the class " + g.name(), g.name());
        }
        throw corrupt("BUILD on " + describe(target) + " is not supported");
    }

    private Object rebuildTensor(PyTuple a) throws WeightsException {
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof Storage storage)) {
            throw corrupt("_rebuild_tensor_v2 needs (storage, offset, size, stride, requires_grad, hooks)");
        }
        long offset = integer(a.get(1), "storage offset");
        long[] size = longs(a.get(2), "size");
        long[] stride = longs(a.get(3), "stride");
        if (storage.bytes() == null) {
            DeferredTensor later = new DeferredTensor(storage, offset, size, stride);
            deferred.add(later);
            return later;
        }
        String what = "tensor on storage data/" + storage.key();
        byte[] data = Strided.gather(storage.bytes(), storage.dtype().byteSize(), offset, size, stride, what);
        return Tensor.wrap(storage.dtype(), size, data);
    }

    private Object persistentLoad(Object pid) throws WeightsException {
        PyTuple t = tuple(pid, "persistent id");
        if (t.size() == 4 && "module".equals(t.get(0))) {
            // Legacy torch.save of a whole model: ('module', class, source file, source text) lets
            // torch.load compare the class's source; the class is all that is used, the source is ignored.
            if (!(t.get(1) instanceof PyGlobal cls)) {
                throw corrupt("module persistent id names " + describe(t.get(1)) + ", not a class");
            }
            return cls;
        }
        if (t.size() < 5 || t.size() > 6 || !"storage".equals(t.get(0))) {
            throw corrupt("persistent id is not ('storage', type, key, location, numel[, view])");
        }
        if (t.size() == 6 && t.get(5) != null) {
            throw new WeightsException("cannot read " + where() + ": it uses storage views (view_metadata), which"
                    + " only PyTorch < 0.4 wrote; load it with PyTorch and save model.state_dict() again");
        }
        if (!(t.get(1) instanceof StorageType type)) {
            throw corrupt("persistent id names storage type " + describe(t.get(1)));
        }
        if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String location)) {
            throw corrupt("persistent id has a non-string key or location");
        }
        long numel = integer(t.get(4), "storage size");
        if (numel < 0) {
            throw corrupt("negative storage size " + numel);
        }
        return storages.load(key, type.dtype(), numel, location);
    }

    // ---- stack and memo ------------------------------------------------------------------------

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() throws WeightsException {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw corrupt("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws WeightsException {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw corrupt("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws WeightsException {
        if (marks.isEmpty()) {
            throw corrupt("no MARK to pop to");
        }
        int at = marks.remove(marks.size() - 1);
        List<Object> top = stack.subList(at, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private void tupleOfLast(int n) throws WeightsException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        push(new PyTuple(java.util.Arrays.asList(items)));
    }

    private Object memoGet(long index) throws WeightsException {
        if (!memo.containsKey(index)) {
            throw corrupt("memo entry " + index + " read before it was written");
        }
        return memo.get(index);
    }

    private void putPairs(Map<Object, Object> dict, List<Object> items) throws WeightsException {
        if (items.size() % 2 != 0) {
            throw corrupt("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object key = items.get(i);
            checkHashable(key, 0);
            dict.put(key, items.get(i + 1));
        }
    }

    /** Lists, dicts and tensors as keys could be self-referential and make hashCode recurse forever. */
    private void checkHashable(Object key, int depth) throws WeightsException {
        if (key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Double || key instanceof Boolean) {
            return;
        }
        if (key instanceof PyTuple t && depth < MAX_DEPTH_FOR_KEYS) {
            for (Object o : t.items()) {
                checkHashable(o, depth + 1);
            }
            return;
        }
        throw corrupt("unsupported dict key " + describe(key));
    }

    // ---- typed views of popped values ----------------------------------------------------------

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws WeightsException {
        if (o instanceof ArrayList<?>) {
            return (List<Object>) o;
        }
        throw corrupt("APPEND to " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) throws WeightsException {
        if (o instanceof LinkedHashMap<?, ?>) {
            return (Map<Object, Object>) o;
        }
        throw corrupt("SETITEM on " + describe(o));
    }

    private PyTuple tuple(Object o, String what) throws WeightsException {
        if (o instanceof PyTuple t) {
            return t;
        }
        throw corrupt(what + " is " + describe(o) + ", not a tuple");
    }

    private long integer(Object o, String what) throws WeightsException {
        if (o instanceof Long l) {
            return l;
        }
        throw corrupt(what + " is " + describe(o) + ", not an int");
    }

    private long[] longs(Object o, String what) throws WeightsException {
        PyTuple t = tuple(o, what);
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(t.get(i), what);
            if (out[i] < 0) {
                throw corrupt("negative " + what + " " + out[i]);
            }
        }
        return out;
    }

    /** A short type description: values themselves may be huge or self-referential. */
    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Callable c) {
            return c.name();
        }
        if (o instanceof StorageType s) {
            return s.name();
        }
        if (o instanceof TorchDType d) {
            return d.name();
        }
        if (o instanceof PyGlobal g) {
            return g.name();
        }
        if (o instanceof PyObject p) {
            return "an instance of " + p.className();
        }
        if (o instanceof DeferredTensor) {
            return "a tensor";
        }
        if (o instanceof PyTuple) {
            return "a tuple";
        }
        if (o instanceof List<?>) {
            return "a list";
        }
        if (o instanceof Map<?, ?>) {
            return "a dict";
        }
        return "a " + o.getClass().getSimpleName();
    }

    // ---- raw input -----------------------------------------------------------------------------

    private int u8() throws IOException {
        need(1);
        return in.u8();
    }

    private int u16() throws IOException {
        return u8() | u8() << 8;
    }

    private int i32() throws IOException {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    private long u32() throws IOException {
        return i32() & 0xffffffffL;
    }

    private long i64() throws IOException {
        long lo = u32();
        long hi = u32();
        return hi << 32 | lo;
    }

    private long i64BigEndian() throws IOException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | u8();
        }
        return v;
    }

    /** A length read from the stream, checked against what is left before anything is allocated. */
    private int length(long n) throws WeightsException {
        if (n < 0 || n > in.remaining() || n > Integer.MAX_VALUE) {
            throw truncatedOr("length " + n + " but only " + in.remaining() + " bytes left", n >= 0);
        }
        return (int) n;
    }

    private byte[] bytes(int n) throws IOException {
        need(n);
        return in.bytes(n);
    }

    private byte[] line() throws IOException {
        byte[] line = in.line();
        if (line == null) {
            if (in.remaining() > 0) {
                throw corrupt("a text line longer than " + PickleInput.MAX_LINE + " bytes");
            }
            throw truncatedOr("a text line without its newline", true);
        }
        return line;
    }

    private void skipFrame() throws IOException {
        long n = i64();
        if (n < 0 || n > in.remaining()) {
            throw truncatedOr("frame of " + n + " bytes but only " + in.remaining() + " left", n >= 0);
        }
    }

    private void need(long n) throws WeightsException {
        if (n > in.remaining()) {
            throw truncatedOr(null, true);
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Object longFromBytes(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] be = new byte[littleEndian.length];
        for (int i = 0; i < be.length; i++) {
            be[i] = littleEndian[be.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private long textInt(byte[] line) throws WeightsException {
        try {
            return Long.parseLong(utf8(line).trim());
        } catch (NumberFormatException e) {
            throw corrupt("bad decimal " + utf8(line));
        }
    }

    private Object textIntOrBool(byte[] line) throws WeightsException {
        String s = utf8(line);
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        return textInt(line);
    }

    private Object textLong(byte[] line) throws WeightsException {
        String s = utf8(line).trim();
        if (s.endsWith("L")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            BigInteger v = new BigInteger(s);
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw corrupt("bad decimal " + s);
        }
    }

    private Object textFloat(byte[] line) throws WeightsException {
        try {
            return Double.parseDouble(utf8(line).trim());
        } catch (NumberFormatException e) {
            throw corrupt("bad float " + utf8(line));
        }
    }

    // ---- errors --------------------------------------------------------------------------------

    private String where() {
        return fileName + (entry == null ? "" : " (" + entry + ")");
    }

    private WeightsException corrupt(String detail) {
        return new WeightsException("cannot read " + where() + ": corrupt pickle, " + detail + " at byte " + opStart);
    }

    private WeightsException truncatedOr(String detail, boolean truncated) {
        String d = detail == null ? "" : ": " + detail;
        return new WeightsException("cannot read " + where() + ": "
                + (truncated ? "the pickle ends early (file truncated?)" : "corrupt pickle") + d + " at byte " + opStart);
    }

    private WeightsException unsupported(int op) {
        String shown = op >= 0x20 && op < 0x7f ? "'" + (char) op + "'" : String.format("0x%02x", op);
        return new WeightsException("cannot read " + where() + ": pickle opcode " + shown + " at byte " + opStart
                + " is not supported (a state dict never needs it; the file may be corrupt)");
    }
}
