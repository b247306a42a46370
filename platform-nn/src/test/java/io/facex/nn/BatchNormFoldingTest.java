package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchNormFoldingTest {

    /** MobileFaceNet's shapes in small: conv-BN-PReLU, a depthwise conv-BN with stride, linear-BN at the end. */
    private static Block net() {
        return new Sequence()
                .add("conv1", new Sequence().add("conv", Torch.conv(8, 3, 3, 2, 1, 1, false)).add("bn", Torch.batchNorm())
                        .add("prelu", new ChannelPrelu(8)))
                .add("dw", new Sequence(true).add("conv", Torch.conv(8, 3, 3, 1, 1, 8, false)).add("bn", Torch.batchNorm()))
                .add("sep", new Sequence().add("conv", Torch.conv(6, 1, 1, 1, 0, 1, true)).add("bn", Torch.batchNorm(1e-3, 0.01)))
                .add("flatten", Blocks.batchFlattenBlock())
                .add("linear", Torch.linear(5, false))
                .add("bn", Torch.batchNorm());
    }

    /** Every parameter random, BN's running statistics far from 0 and 1 so that a wrong fold shows. */
    private static void randomize(Block block, SplittableRandom r) {
        for (ai.djl.util.Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = new float[(int) a.size()];
            boolean variance = p.getKey().endsWith("runningVar");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (variance ? 0.2 + 3 * r.nextDouble() : 2 * r.nextDouble() - 1);
            }
            a.set(v);
        }
    }

    @Test
    void aFoldedNetworkGivesTheSameFeaturesWithoutItsBatchNorms() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = net();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            randomize(net, new SplittableRandom(3));
            float[] in = new float[4 * 3 * 16 * 16];
            SplittableRandom r = new SplittableRandom(4);
            for (int i = 0; i < in.length; i++) {
                in[i] = (float) r.nextGaussian();
            }
            NDArray x = m.create(in, new Shape(4, 3, 16, 16));
            float[] before = net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();

            assertEquals(4, BatchNormFolding.fold(net, m));
            assertEquals(0, BatchNormFolding.fold(net, m), "nothing left to fold");
            float[] after = net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();
            assertEquals(before.length, after.length);
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < before.length; i++) {
                worst = Math.max(worst, Math.abs(before[i] - after[i]));
                scale = Math.max(scale, Math.abs(before[i]));
            }
            assertTrue(scale > 1 && worst < 1e-5 * scale, "max difference " + worst + " at output scale " + scale);
            assertEquals(new Shape(4, 5), net.getOutputShapes(new Shape[] {new Shape(4, 3, 16, 16)})[0]);
            assertThrows(IllegalStateException.class,
                    () -> net.forward(new ParameterStore(m, false), new NDList(x), true), "inference only");
        }
    }
}
