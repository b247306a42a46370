package io.facex.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostilePickleTest {

    @TempDir
    Path tmp;

    @Test
    void evalInTheFixtureIsRefusedByName() {
        UnsafeWeightsException e = assertThrows(UnsafeWeightsException.class,
                () -> Weights.load(Resources.path(Resources.HOSTILE)));
        // The pickle says __builtin__.eval (protocol 2 spelling); Python 3 resolves that to builtins.eval.
        assertEquals("builtins.eval", e.offendingGlobal());
        assertEquals("refusing to load hostile_checkpoint.pt: its pickle calls builtins.eval, which a weights file"
                + " never needs (only tensors, dicts, torch's tensor reconstruction and inert objects created empty"
                + " and filled with a dict are allowed)", e.getMessage());
    }

    @Test
    void shellCommandViaStackGlobalIsRefused() {
        UnsafeWeightsException e = assertThrows(UnsafeWeightsException.class,
                () -> Weights.load(Resources.path("crafted/posix_system.pt")));
        assertEquals("posix.system", e.offendingGlobal());
        assertTrue(e.getMessage().startsWith("refusing to load posix_system.pt: its pickle calls posix.system"),
                e.getMessage());
    }

    @Test
    void pickledObjectThatIsNoModuleIsExplained() {
        // NEWOBJ + BUILD {'training': True} of a made-up class: inert, but not an nn.Module to take weights from.
        WeightsException e = assertThrows(WeightsException.class,
                () -> Weights.load(Resources.path("crafted/whole_model.pt")));
        assertFalse(e instanceof UnsafeWeightsException, e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot read whole_model.pt: it holds an instance of"
                + " backbone.MobileFaceNets.MobileFaceNet at '<root>' that is not a torch.nn.Module"), e.getMessage());
    }

    @Test
    void everyOtherGlobalIsRefused() throws Exception {
        String[][] globals = {
            {"os", "system"}, {"__builtin__", "getattr"}, {"builtins", "exec"}, {"subprocess", "Popen"},
            {"numpy.core.multiarray", "_reconstruct"}, {"torch", "load"}, {"torch._utils", "_rebuild_qtensor"},
            {"collections", "defaultdict"}, {"torch.nn.modules.conv", "Conv2d"}, {"torch", "UntypedStorage"},
        };
        for (String[] g : globals) {
            String expected = TorchGlobals.canonicalModule(g[0]) + "." + g[1];
            for (boolean stackGlobal : new boolean[] {false, true}) {
                Path file = TestZips.torchZip(tmp.resolve("g.pt"), "archive", callPickle(g[0], g[1], stackGlobal),
                        Map.of());
                UnsafeWeightsException e = assertThrows(UnsafeWeightsException.class, () -> Weights.load(file),
                        expected);
                assertEquals(expected, e.offendingGlobal());
                assertTrue(e.getMessage().contains("g.pt") && e.getMessage().contains(expected), e.getMessage());
            }
        }
    }

    @Test
    void allowedGlobalsUsedOutOfPlaceAreCorruptionNotExecution() throws Exception {
        // REDUCE on a storage type: allowed as a name, meaningless as a call.
        byte[] pkl = pickle(out -> {
            out.write(new byte[] {(byte) 0x80, 2});
            out.write("ctorch\nFloatStorage\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {')', 'R', '.'});
        });
        Path file = TestZips.torchZip(tmp.resolve("odd.pt"), "archive", pkl, Map.of());
        WeightsException e = assertThrows(WeightsException.class, () -> Weights.load(file));
        assertTrue(e.getMessage().contains("odd.pt") && e.getMessage().contains("torch.FloatStorage"), e.getMessage());
    }

    /** {@code {'state_dict': module.name('x')}} at protocol 2 (GLOBAL) or 4 (STACK_GLOBAL). */
    static byte[] callPickle(String module, String name, boolean stackGlobal) throws Exception {
        return pickle(out -> {
            out.write(new byte[] {(byte) 0x80, (byte) (stackGlobal ? 4 : 2), '}'});
            shortUnicode(out, "state_dict");
            if (stackGlobal) {
                shortUnicode(out, module);
                shortUnicode(out, name);
                out.write(0x93);
            } else {
                out.write(('c' + module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            shortUnicode(out, "x");
            out.write(new byte[] {(byte) 0x85, 'R', 's', '.'});
        });
    }

    static void shortUnicode(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x8c);
        out.write(b.length);
        out.write(b, 0, b.length);
    }

    interface Writer {
        void write(ByteArrayOutputStream out) throws Exception;
    }

    static byte[] pickle(Writer w) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        return out.toByteArray();
    }
}
