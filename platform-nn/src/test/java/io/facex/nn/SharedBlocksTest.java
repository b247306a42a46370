package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The blocks FaceX-Zoo's backbones share, against hand-computed values and the original's key names. */
class SharedBlocksTest {

    private static List<String> keys(ai.djl.nn.Block b) {
        List<String> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(TorchNames.toTorch(p.getKey()));
        }
        return out;
    }

    @Test
    void outputLayerNumbersItsModulesAsTheOriginalSequential() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequence full = OutputLayer.builder().batchNorm2d(true).dropout(0.4).features(8).build();
            full.initialize(m, DataType.FLOAT32, new Shape(2, 4, 3, 3));
            assertEquals(List.of("0.weight", "0.bias", "0.running_mean", "0.running_var", "3.weight", "3.bias",
                    "4.weight", "4.bias", "4.running_mean", "4.running_var"), keys(full));
            assertEquals(new Shape(4 * 3 * 3, 8).size(), full.getParameters().get(4).getValue().getArray().size());
            Sequence bare = OutputLayer.builder().features(8).linearBias(false).build();
            bare.initialize(m, DataType.FLOAT32, new Shape(2, 4, 3, 3));
            assertEquals(List.of("1.weight", "2.weight", "2.bias", "2.running_mean", "2.running_var"), keys(bare));
        }
    }

    @Test
    void squeezeExciteRescalesEachChannelByItsGate() {
        try (NDManager m = NDManager.newBaseManager()) {
            SqueezeExcite se = new SqueezeExcite(SqueezeExcite.SIGMOID)
                    .add("fc1", Torch.conv(1, 1, 1, 0, 1, false)).add("relu", Torch.relu())
                    .add("fc2", Torch.conv(2, 1, 1, 0, 1, false));
            se.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 2));
            assertEquals(List.of("fc1.weight", "fc2.weight"), keys(se));
            se.getParameters().get(0).getValue().getArray().set(new float[] {1f, 1f});
            se.getParameters().get(1).getValue().getArray().set(new float[] {1f, -1f});
            NDArray x = m.create(new float[] {1, 3, 2, 2}, new Shape(1, 2, 1, 2));
            // channel means 2 and 2; fc1: relu(4) = 4; fc2: (4, -4); sigmoid
            float up = (float) (1 / (1 + Math.exp(-4)));
            float down = (float) (1 / (1 + Math.exp(4)));
            NDArray y = se.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertArrayEquals(new float[] {up, 3 * up, 2 * down, 2 * down}, y.toFloatArray(), 1e-6f);
            NDArray h = SqueezeExcite.HARD_SIGMOID.apply(m.create(new float[] {-4, 0, 1.5f, 4}));
            assertArrayEquals(new float[] {0, 0.5f, 0.75f, 1}, h.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void branchesSumOverTheSameInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            Branches b = new Branches().add("res_layer", Torch.conv(1, 1, 1, 0, 1, false))
                    .add("shortcut_layer", Blocks.identityBlock());
            b.initialize(m, DataType.FLOAT32, new Shape(1, 1, 1, 2));
            assertEquals(List.of("res_layer.weight"), keys(b));
            b.getParameters().get(0).getValue().getArray().set(new float[] {3f});
            NDArray y = b.forward(new ParameterStore(m, false), new NDList(m.create(new float[] {1, 2}, new Shape(1, 1, 1, 2))),
                    false).singletonOrThrow();
            assertArrayEquals(new float[] {4, 8}, y.toFloatArray());
        }
    }
}
