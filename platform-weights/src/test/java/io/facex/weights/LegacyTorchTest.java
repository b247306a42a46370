package io.facex.weights;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The legacy torch.save format, as FaceX-Zoo's SDK models use it. Fixtures were written by PyTorch 1.13
 * with {@code _use_new_zipfile_serialization=False}; the expected tensors are {@code model.state_dict()}
 * exported by NumPy.
 */
class LegacyTorchTest {

    static final String TINY_MODULE = "fixtures/legacy_tiny_module.pkl";
    static final String TINY_EXPECTED = "fixtures/legacy_tiny_expected.npz";
    private static final String TINY_CLASS = "models.network_def.tiny_def.TinyNet";

    @Test
    void wholeModuleGivesItsStateDictNamesDtypesShapesAndValues() throws Exception {
        Path file = Resources.path(TINY_MODULE);
        assertEquals(WeightsFormat.TORCH_LEGACY, WeightsFormat.detect(file));
        StateDict sd = Weights.load(file);
        assertSameTensors(Weights.load(Resources.path(TINY_EXPECTED)), sd);
        assertEquals(TINY_CLASS, sd.extras().get("__class__"));

        // Buffers before children, None entries and the non-persistent buffer 'temp' left out.
        assertEquals("scratch", sd.keys().iterator().next());
        assertFalse(sd.contains("scale") || sd.contains("temp") || sd.contains("features.0.unused"));
        // A transposed (strided) float64 buffer, int64 counters, PReLU and Linear inside nested Sequentials.
        Tensor scratch = sd.require("scratch");
        assertEquals(DType.FLOAT64, scratch.dtype());
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, scratch.toDoubleArray());
        assertArrayEquals(new long[] {7}, sd.require("features.0.bn.num_batches_tracked").toLongArray());
        assertArrayEquals(new long[] {-3}, sd.require("features.1.0.bn.num_batches_tracked").toLongArray());
        assertArrayEquals(new long[] {2}, sd.require("features.1.0.act.weight").shape());
        assertArrayEquals(new long[] {5, 18}, sd.require("fc.weight").shape());
    }

    @Test
    void plainAndWrappedLegacyStateDicts() throws Exception {
        StateDict expected = Weights.load(Resources.path(TINY_EXPECTED));
        StateDict plain = Weights.load(Resources.path("fixtures/legacy_tiny_state_dict.pth"));
        assertSameTensors(expected, plain);
        assertEquals(0, plain.extras().size());

        StateDict wrapped = Weights.load(Resources.path("fixtures/legacy_tiny_wrapped.pth"));
        assertSameTensors(expected, wrapped);
        assertEquals(2L, wrapped.extras().get("epoch"));
        assertEquals(40L, wrapped.extras().get("batch_id"));
    }

    @Test
    void wholeModuleInTheZipFormatFollowsTheSameRule() throws Exception {
        Path file = Resources.path("fixtures/zip_tiny_module.pt");
        assertEquals(WeightsFormat.TORCH_ZIP, WeightsFormat.detect(file));
        StateDict sd = Weights.load(file);
        assertSameTensors(Weights.load(Resources.path(TINY_EXPECTED)), sd);
        assertEquals(TINY_CLASS, sd.extras().get("__class__"));
    }

    /**
     * FaceX-Zoo's RetinaFace class (models.network_def.retinaface_def; torchvision is not installed, so its
     * body is a stand-in for torchvision.models._utils.IntermediateLayerGetter under that class path), given
     * the weights of retinaface_mnet025.npz and saved whole in the legacy format; the expected file lists
     * that npz's tensors in order with dtype, shape and the SHA-256 of their bytes.
     */
    @Test
    void retinafaceDetectorModuleEqualsItsStateDictExport() throws Exception {
        StateDict sd = Weights.load(Resources.path("fixtures/legacy_retinaface_mnet025.pkl"));
        assertEquals("models.network_def.retinaface_def.RetinaFace", sd.extras().get("__class__"));
        List<String> expected = Files.readAllLines(Resources.path("fixtures/retinaface_mnet025_sha256.tsv"));
        assertEquals(300, expected.size());
        assertEquals(expected.stream().map(l -> l.split("\t")[0]).toList(), List.copyOf(sd.keys()));
        long params = 0;
        for (String line : expected) {
            String[] f = line.split("\t");
            Tensor t = sd.require(f[0]);
            assertEquals(f[1].equals("<f4") ? DType.FLOAT32 : DType.INT64, t.dtype(), f[0]);
            assertEquals(f[1].equals("<f4") ? "<f4" : "<i8", f[1], f[0]);
            assertEquals(f[2], String.join(",", java.util.Arrays.stream(t.shape()).mapToObj(Long::toString).toList()),
                    f[0]);
            assertEquals(f[3], sha256(t.data()), f[0]);
            if (!f[0].contains("running_") && !f[0].endsWith("num_batches_tracked")) {
                params += t.numel();
            }
        }
        assertEquals(426_608, params, "the detector's parameter count (spec §6)");
    }

    /**
     * FaceX-Zoo's own face_detection_retina.pkl (saved by an older torch, with its classes' source text
     * inside, so it is not committed): run with -Dfacex.detectorPkl=... -Dfacex.detectorNpz=... to compare
     * it with retinaface_mnet025.npz.
     */
    @Test
    void realFaceXZooDetectorWhenGiven() throws Exception {
        String pkl = System.getProperty("facex.detectorPkl");
        String npz = System.getProperty("facex.detectorNpz");
        assumeTrue(pkl != null && npz != null, "set facex.detectorPkl and facex.detectorNpz to run");
        StateDict sd = Weights.load(Path.of(pkl));
        assertEquals(WeightsFormat.TORCH_LEGACY, WeightsFormat.detect(Path.of(pkl)));
        assertEquals("models.network_def.retinaface_def.RetinaFace", sd.extras().get("__class__"));
        StateDict expected = Weights.load(Path.of(npz));
        assertEquals(300, expected.size());
        assertSameTensors(expected, sd);
    }

    static void assertSameTensors(StateDict expected, StateDict actual) {
        assertEquals(List.copyOf(expected.keys()), List.copyOf(actual.keys()), actual.source());
        for (String key : expected.keys()) {
            // Tensor.equals compares dtype, shape and every byte.
            assertEquals(expected.get(key), actual.get(key), actual.source() + " " + key);
        }
        assertNull(actual.get("no such key"));
    }

    private static String sha256(ByteBuffer data) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data);
        return HexFormat.of().formatHex(md.digest());
    }
}
