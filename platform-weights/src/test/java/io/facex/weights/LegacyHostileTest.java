package io.facex.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole pickled module is read as inert data; everything by which a pickle could make Python run code
 * is refused, in legacy files as in zips.
 */
class LegacyHostileTest {

    @TempDir
    Path tmp;

    @Test
    void osSystemAndEvalFromPyTorchAreRefusedByName() {
        // Written by torch.save(..., _use_new_zipfile_serialization=False) with objects whose __reduce__
        // returns (os.system, ('echo ...',)) and (eval, ("__import__('os')...",)).
        UnsafeWeightsException e = assertThrows(UnsafeWeightsException.class,
                () -> Weights.load(Resources.path("fixtures/legacy_os_system.pkl")));
        assertEquals("posix.system", e.offendingGlobal());
        assertTrue(e.getMessage().startsWith("refusing to load legacy_os_system.pkl: its pickle calls posix.system"),
                e.getMessage());
        e = assertThrows(UnsafeWeightsException.class, () -> Weights.load(Resources.path("fixtures/legacy_eval.pkl")));
        assertEquals("builtins.eval", e.offendingGlobal());
        assertTrue(e.getMessage().contains("legacy_eval.pkl"), e.getMessage());
    }

    @Test
    void namesFromCodeRunningModulesAreRefusedEvenUncalled() throws Exception {
        String[][] globals = {
            {"__builtin__", "eval"}, {"builtins", "getattr"}, {"builtins", "__import__"}, {"os", "system"},
            {"posix", "system"}, {"nt", "system"}, {"subprocess", "Popen"}, {"subprocess", "check_output"},
            {"copy_reg", "_reconstructor"}, {"importlib", "import_module"}, {"sys", "modules"},
        };
        for (String[] g : globals) {
            String dotted = TorchGlobals.canonicalModule(g[0]) + "." + g[1];
            // {'x': module.name} — only named, never called — and module.name() as an empty "instance".
            byte[] named = pickle("}X\u0001\u0000\u0000\u0000xc" + g[0] + "\n" + g[1] + "\ns.");
            byte[] created = pickle("c" + g[0] + "\n" + g[1] + "\n)\u0081.");
            for (byte[] pkl : List.of(named, created)) {
                assertRefused(legacyFile("named.pkl", pkl), dotted);
            }
        }
    }

    @Test
    void placeholderClassesOnlyEverCreateEmptyObjects() throws Exception {
        String cls = "cmodels.network_def.tiny_def\nTinyNet\n";
        String dotted = "models.network_def.tiny_def.TinyNet";
        String[][] cases = {
            {cls + "K\u0001\u0085\u0081.", "calls " + dotted + " with arguments (NEWOBJ)"},
            {cls + "K\u0001\u0085R.", "calls " + dotted + " with arguments (REDUCE)"},
            {"ctorch.nn.modules.conv\nConv2d\nK\u0003K\u0004\u0086R.", "calls torch.nn.modules.conv.Conv2d with"},
            {cls + ")\u0081)R.", "calls an instance of " + dotted},
            {cls + ")\u0081K\u0001\u0085b.", "fills an instance of " + dotted + " with a tuple"},
            {cls + ")\u0081X\u0001\u0000\u0000\u0000xb.", "fills an instance of " + dotted + " with a String"},
            {cls + "}b.", "sets state on the class " + dotted},
        };
        for (String[] c : cases) {
            String offending = c[1].contains("Conv2d") ? "torch.nn.modules.conv.Conv2d" : dotted;
            UnsafeWeightsException e = assertRefused(legacyFile("placeholder.pkl", pickle(c[0])), offending);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void objectsAreNotListsOrDicts() throws Exception {
        // In Python APPEND and SETITEM on an object call its append / __setitem__: refused as corrupt here.
        String cls = "cmodels.x\nNet\n)\u0081";
        for (String pkl : new String[] {cls + "N" + "a.", cls + "NNs.", cls + "(Ne."}) {
            Path file = legacyFile("notalist.pkl", pickle(pkl));
            WeightsException e = assertThrows(WeightsException.class, () -> Weights.load(file));
            assertFalse(e instanceof UnsafeWeightsException, e.getMessage());
            assertTrue(e.getMessage().contains("notalist.pkl") && e.getMessage().contains("models.x.Net"),
                    e.getMessage());
        }
    }

    @Test
    void sameRulesInTheZipFormat() throws Exception {
        Path file = TestZips.torchZip(tmp.resolve("zip.pt"), "archive",
                pickle("cmodels.x\nNet\nK\u0001\u0085\u0081."), java.util.Map.of());
        assertRefused(file, "models.x.Net");
    }

    private UnsafeWeightsException assertRefused(Path file, String dotted) {
        UnsafeWeightsException e = assertThrows(UnsafeWeightsException.class, () -> Weights.load(file), dotted);
        assertEquals(dotted, e.offendingGlobal());
        assertTrue(e.getMessage().startsWith("refusing to load " + file.getFileName() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(dotted), e.getMessage());
        return e;
    }

    private Path legacyFile(String name, byte[] objectPickle) throws Exception {
        Path file = tmp.resolve(name);
        Files.write(file, LegacyFiles.legacy(true, objectPickle, List.of()));
        return file;
    }

    /** Protocol 2 pickle from text whose chars are bytes. */
    private static byte[] pickle(String body) {
        return ("\u0080\u0002" + body).getBytes(StandardCharsets.ISO_8859_1);
    }
}
