package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NnTest {

    @Test
    void torchNamesFromDjlPaths() {
        assertEquals("conv1.conv.weight", TorchNames.toTorch("01conv1_01conv_weight"));
        assertEquals("conv1.bn.weight", TorchNames.toTorch("01conv1_02bn_gamma"));
        assertEquals("conv_23.conv_dw.bn.running_var", TorchNames.toTorch("03conv_23_02conv_dw_02bn_runningVar"));
        assertEquals("conv_3.model.0.project.bn.bias", TorchNames.toTorch("04conv_3_01model_010_03project_02bn_beta"));
        assertEquals("conv_3.model.3.conv.prelu.weight", TorchNames.toTorch("04conv_3_01model_043_01conv_03prelu_weight"));
        assertEquals("linear.weight", TorchNames.toTorch("12linear_weight"));
    }

    @Test
    void channelPreluHasOneSlopePerChannel() {
        ChannelPrelu prelu = new ChannelPrelu(2);
        try (NDManager m = NDManager.newBaseManager()) {
            prelu.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 2));
            prelu.getParameters().get("weight").getArray().set(new float[] {0.25f, 0.5f});
            NDArray x = m.create(new float[] {-4, 2, -4, 3}, new Shape(1, 2, 1, 2));
            NDArray y = prelu.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertArrayEquals(new float[] {-1, 2, -2, 3}, y.toFloatArray());
        }
    }

    @Test
    void residualSequenceAddsItsInput() {
        Sequence s = new Sequence(true).add("prelu", new ChannelPrelu(1));
        try (NDManager m = NDManager.newBaseManager()) {
            s.initialize(m, DataType.FLOAT32, new Shape(1, 1, 2));
            NDArray x = m.create(new float[] {-4, 2}, new Shape(1, 1, 2));
            NDArray y = s.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertArrayEquals(new float[] {-5, 4}, y.toFloatArray());
        }
    }
}
