package io.facex.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TorchSgdTest {

    /**
     * y = w·x, loss = y (so ∇w = x every step), w0 = 1, x = 2, momentum 0.9, wd 0.1; PyTorch's recurrence
     * done by hand in double, with a learning-rate change after step 2 (where DJL's folding would differ).
     */
    @Test
    void followsPyTorchsRecurrenceAcrossALearningRateChange() {
        Linear lin = Linear.builder().setUnits(1).optBias(false).build();
        double w = 1;
        double buf = 0;
        double[] lrs = {0.1, 0.1, 0.01, 0.01};
        try (NDManager m = NDManager.newBaseManager()) {
            lin.initialize(m, DataType.FLOAT32, new Shape(1, 1));
            lin.getParameters().get("weight").getArray().set(new float[] {1f});
            TorchSgd sgd = new TorchSgd(m, 0.9, 0.1);
            for (int step = 0; step < lrs.length; step++) {
                try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = lin.forward(new ParameterStore(s, false), new NDList(s.create(new float[] {2f}, new Shape(1, 1))), true)
                            .singletonOrThrow();
                    gc.backward(y.sum());
                }
                sgd.step(lin.getParameters(), lrs[step]);
                double g = 2 + 0.1 * w;
                buf = step == 0 ? g : 0.9 * buf + g;
                w -= lrs[step] * buf;
                assertEquals(w, lin.getParameters().get("weight").getArray().getFloat(0, 0), 1e-6, "step " + step);
            }
            assertArrayEquals(new float[] {(float) buf}, sgd.buffers().values().iterator().next().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void multiStepSchedule() {
        MultiStepLr lr = new MultiStepLr(0.1, List.of(2, 5, 7), 0.1);
        assertEquals(0.1, lr.at(0), 1e-12);
        assertEquals(0.1, lr.at(1), 1e-12);
        assertEquals(0.01, lr.at(2), 1e-12);
        assertEquals(0.001, lr.at(6), 1e-12);
        assertEquals(1e-4, lr.at(8), 1e-12);
    }
}
