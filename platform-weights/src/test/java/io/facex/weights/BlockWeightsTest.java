package io.facex.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockWeightsTest {

    /** What io.facex.nn.TorchNames does for real blocks, reduced to this two-layer test block. */
    private static final Function<String, String> MAPPER = path -> {
        String key = path.replace("01Conv2d_", "conv.").replace("02BatchNorm_", "bn.");
        return key.replace("gamma", "weight").replace("beta", "bias")
                .replace("runningMean", "running_mean").replace("runningVar", "running_var");
    };

    private NDManager manager;
    private SequentialBlock block;

    @BeforeEach
    void buildBlock() {
        manager = NDManager.newBaseManager();
        block = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(4).build())
                .add(BatchNorm.builder().build());
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 6, 6));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static float[] seq(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + 0.25f * i;
        }
        return v;
    }

    private static Map<String, Tensor> fullCheckpoint() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv.weight", Tensor.ofFloats(seq(72, -9), 4, 2, 3, 3));
        m.put("conv.bias", Tensor.ofFloats(seq(4, 1), 4));
        m.put("bn.weight", Tensor.ofFloats(seq(4, 2), 4));
        m.put("bn.bias", Tensor.ofFloats(seq(4, 3), 4));
        m.put("bn.running_mean", Tensor.ofFloats(seq(4, 4), 4));
        m.put("bn.running_var", Tensor.ofDoubles(new double[] {5, 6, 7, 8}, 4)); // float64 in, float32 model
        m.put("bn.num_batches_tracked", Tensor.ofLongs(new long[] {100}));
        return m;
    }

    private float[] value(String djlPath) {
        return block.getParameters().get(djlPath).getArray().toFloatArray();
    }

    @Test
    void theTestMapperCoversTheBlock() {
        List<String> keys = block.getParameters().stream().map(Pair::getKey).map(MAPPER).toList();
        assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean",
                "bn.running_var"), keys);
    }

    @Test
    void copiesEveryTensorAndIgnoresNumBatchesTracked() throws Exception {
        LoadReport report = BlockWeights.apply(block, new StateDict("good.pt", fullCheckpoint()), MAPPER);
        assertTrue(report.isExact(), report.describe());
        assertEquals(6, report.loaded().size());
        assertArrayEquals(seq(72, -9), value("01Conv2d_weight"));
        assertArrayEquals(seq(4, 1), value("01Conv2d_bias"));
        assertArrayEquals(seq(4, 2), value("02BatchNorm_gamma"));
        assertArrayEquals(seq(4, 3), value("02BatchNorm_beta"));
        assertArrayEquals(seq(4, 4), value("02BatchNorm_runningMean"));
        assertArrayEquals(new float[] {5, 6, 7, 8}, value("02BatchNorm_runningVar"));
    }

    @Test
    void strictModeListsEveryProblemByNameAndChangesNothing() {
        Map<String, Tensor> m = fullCheckpoint();
        m.remove("bn.running_var");
        m.put("conv.weight", Tensor.ofFloats(new float[4 * 2 * 5 * 5], 4, 2, 5, 5));
        m.put("fc.weight", Tensor.ofFloats(new float[2], 2));
        float[] biasBefore = value("01Conv2d_bias");

        WeightsMismatchException e = assertThrows(WeightsMismatchException.class,
                () -> BlockWeights.apply(block, new StateDict("bad.pt", m), MAPPER));
        LoadReport r = e.report();
        assertEquals(List.of("bn.running_var"), r.missing());
        assertEquals(List.of("fc.weight"), r.unexpected());
        assertEquals(List.of("conv.weight: checkpoint (4, 2, 5, 5) vs model (4, 2, 3, 3)"), r.shapeMismatches());
        String msg = e.getMessage();
        assertTrue(msg.startsWith("bad.pt does not fit the model: 1 missing, 1 unexpected, 1 shape mismatch"), msg);
        assertTrue(msg.contains("missing from the checkpoint: bn.running_var"), msg);
        assertTrue(msg.contains("unexpected in the checkpoint: fc.weight"), msg);
        assertTrue(msg.contains("shape mismatch: conv.weight: checkpoint (4, 2, 5, 5) vs model (4, 2, 3, 3)"), msg);
        assertArrayEquals(biasBefore, value("01Conv2d_bias"), "strict loading is all or nothing");
    }

    @Test
    void lenientModeCopiesWhatFits() {
        Map<String, Tensor> m = fullCheckpoint();
        m.remove("bn.running_var");
        m.put("conv.weight", Tensor.ofFloats(new float[4 * 2 * 5 * 5], 4, 2, 5, 5));
        float[] weightBefore = value("01Conv2d_weight");
        LoadReport r = BlockWeights.applyMatching(block, new StateDict("partial.pt", m), MAPPER);
        assertEquals(List.of("conv.bias", "bn.weight", "bn.bias", "bn.running_mean"), r.loaded());
        assertEquals(List.of("bn.running_var"), r.missing());
        assertEquals(1, r.shapeMismatches().size());
        assertArrayEquals(seq(4, 1), value("01Conv2d_bias"));
        assertArrayEquals(weightBefore, value("01Conv2d_weight"));
    }

    @Test
    void unmappedParametersAreLeftAlone() throws Exception {
        Map<String, Tensor> m = fullCheckpoint();
        m.remove("conv.bias");
        Function<String, String> skipBias = p -> p.equals("01Conv2d_bias") ? null : MAPPER.apply(p);
        LoadReport r = BlockWeights.apply(block, new StateDict("nobias.pt", m), skipBias);
        assertEquals(List.of("01Conv2d_bias"), r.notMapped());
        assertTrue(r.isExact());
    }

    @Test
    void uninitializedBlockIsAnError() {
        SequentialBlock fresh = new SequentialBlock().add(Conv2d.builder().setKernelShape(new Shape(3, 3))
                .setFilters(4).build());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BlockWeights.apply(fresh, new StateDict("x.pt", fullCheckpoint()), MAPPER));
        assertTrue(e.getMessage().contains("not initialized"), e.getMessage());
    }

    @Test
    void twoParametersOnOneKeyIsAMapperBug() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockWeights.apply(block, new StateDict("x.pt", fullCheckpoint()), p -> "same"));
        assertTrue(e.getMessage().contains("'same': 01Conv2d_weight and 01Conv2d_bias"), e.getMessage());
    }

    @Test
    void parameterArraysStayFloat32() {
        for (Pair<String, Parameter> p : block.getParameters()) {
            assertEquals(DataType.FLOAT32, p.getValue().getArray().getDataType(), p.getKey());
        }
    }
}
