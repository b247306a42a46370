package io.facex.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.facex.api.Backbone;
import io.facex.weights.BlockWeights;
import io.facex.weights.Safetensors;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of a {@link Backbone}: besides {@link PluginContract}'s checks, one face of its declared
 * input shape gives one embedding of its declared size, and its weights written to a safetensors state
 * dict and read into a fresh block give the same embeddings, bit for bit.
 *
 * <pre>{@code
 * class TinyNetTest extends BackboneContract<TinyNet.Config> {
 *     TinyNetTest() {
 *         super(new TinyNet());
 *     }
 * }
 * }</pre>
 *
 * @param <C> the backbone's configuration type
 */
public abstract class BackboneContract<C> extends PluginContract<C> {

    private final Backbone<C> backbone;

    protected BackboneContract(Backbone<C> backbone) {
        super(backbone);
        this.backbone = backbone;
    }

    /** Faces per test batch. */
    protected int batchSize() {
        return 2;
    }

    @Test
    public void declaresOneFaceAndAnEmbeddingSize() {
        C c = testConfig();
        Shape face = backbone.inputShape(c);
        assertEquals(3, face.dimension(), backbone.name() + ": inputShape is (channels, height, width), got " + face);
        for (long d : face.getShape()) {
            assertTrue(d > 0, backbone.name() + ": inputShape " + face);
        }
        assertTrue(backbone.featureDim(c) > 0, backbone.name() + ": featureDim " + backbone.featureDim(c));
    }

    @Test
    public void aBatchOfFacesGivesOneEmbeddingEach() {
        C c = testConfig();
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = batchShape(c);
            Block block = backbone.build(c);
            block.initialize(m, DataType.FLOAT32, in);
            NDArray out = embed(block, m, m.randomNormal(in));
            assertEquals(new Shape(batchSize(), backbone.featureDim(c)), out.getShape(),
                    backbone.name() + ": " + in + " in should give (N, featureDim) out");
            for (float v : out.toFloatArray()) {
                assertTrue(Float.isFinite(v), backbone.name() + ": an embedding is not finite");
            }
        }
    }

    /**
     * Every parameter (BatchNorm's running statistics included) goes through safetensors, the format of
     * the platform's checkpoints, under its block path; a fresh block loaded from the file embeds a batch
     * exactly as the original does.
     */
    @Test
    public void weightsRoundTripThroughSafetensors(@TempDir Path dir) throws IOException {
        C c = testConfig();
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = batchShape(c);
            NDArray x = m.randomNormal(in);
            Block original = backbone.build(c);
            original.initialize(m, DataType.FLOAT32, in);
            float[] expected = embed(original, m, x).toFloatArray();

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : original.getParameters()) {
                NDArray a = p.getValue().getArray();
                tensors.put(p.getKey(), Tensor.ofFloats(a.toType(DataType.FLOAT32, false).toFloatArray(), a.getShape().getShape()));
            }
            assertFalse(tensors.isEmpty(), backbone.name() + " has no parameters");
            Path file = dir.resolve(backbone.name() + ".safetensors");
            Safetensors.write(file, new StateDict(file.getFileName().toString(), tensors));

            Block fresh = backbone.build(c);
            fresh.initialize(m, DataType.FLOAT32, in);
            BlockWeights.apply(fresh, Safetensors.read(file), key -> key);
            assertArrayEquals(expected, embed(fresh, m, x).toFloatArray(),
                    backbone.name() + ": a block loaded from its own weights embeds differently");
        }
    }

    /** (batchSize, channels, height, width) of the configuration's declared input. */
    protected Shape batchShape(C c) {
        return new Shape(batchSize()).addAll(backbone.inputShape(c));
    }

    /** Inference, as evaluation runs it. */
    protected static NDArray embed(Block block, NDManager m, NDArray faces) {
        return block.forward(new ParameterStore(m, false), new NDList(faces), false).singletonOrThrow();
    }
}
