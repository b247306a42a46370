package io.facex.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.core.config.Configs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of a {@link Head}: besides {@link PluginContract}'s checks, it is built at the sizes the
 * platform passes (whatever its configuration states) and gives one row of logits per face, one column
 * per class; the sizes a configuration states are reported through {@code declaredSize}, consistent
 * with {@code needsClassCount}.
 *
 * @param <C> the head's configuration type
 */
public abstract class HeadContract<C> extends PluginContract<C> {

    private final Head<C> head;

    protected HeadContract(Head<C> head) {
        super(head);
        this.head = head;
    }

    /** The sizes the build test passes: 8 features, 5 classes (0 for a head that needs no class count). */
    protected HeadSize testSize() {
        return new HeadSize(8, head.needsClassCount() ? 5 : 0);
    }

    /** Faces per test batch. */
    protected int batchSize() {
        return 3;
    }

    @Test
    public void isSizedByThePlatformAndGivesOneRowOfLogitsPerFace() {
        C c = testConfig();
        HeadSize size = testSize();
        int n = batchSize();
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = head.build(c, size);
            block.initialize(m, DataType.FLOAT32, new Shape(n, size.featureDim()), new Shape(n));
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = size.numClasses() > 0 ? i % size.numClasses() : 0;
            }
            NDArray features = m.randomNormal(new Shape(n, size.featureDim()));
            NDList out = block.forward(new ParameterStore(m, false), new NDList(features, m.create(labels)), true);
            assertTrue(out.size() == 1 || out.size() == 2, head.name() + ": the head returns (logits) or (logits, extraLoss), got "
                    + out.size() + " arrays");
            Shape logits = out.get(0).getShape();
            if (head.needsClassCount()) {
                assertEquals(new Shape(n, size.numClasses()), logits, head.name() + " built at " + size);
            } else {
                assertEquals(2, logits.dimension(), head.name() + ": logits " + logits);
                assertEquals(n, logits.get(0), head.name() + ": logits " + logits);
            }
            for (float v : out.get(0).toFloatArray()) {
                assertTrue(Float.isFinite(v), head.name() + ": a logit is not finite");
            }
        }
    }

    /**
     * A configuration stating FaceX-Zoo's {@code feat_dim} or {@code num_class} reports them through
     * {@code declaredSize} (the platform checks them against the backbone and the data); a head that
     * needs no class count declares none.
     */
    @Test
    public void declaredSizesAgreeWithTheConfiguration() {
        for (C c : List.of(head.defaultConfig(), testConfig())) {
            JsonNode keys = Configs.yaml().valueToTree(c);
            Optional<HeadSize> declared = head.declaredSize(c);
            boolean states = keys != null && (keys.has("feat_dim") || keys.has("num_class"));
            assertEquals(states, declared.isPresent(), head.name() + ": a configuration with feat_dim/num_class keys "
                    + "declares its size, one without does not (" + Configs.toJson(c) + ")");
            if (declared.isEmpty()) {
                continue;
            }
            if (keys.has("feat_dim")) {
                assertEquals(keys.get("feat_dim").asInt(), declared.get().featureDim(), head.name() + ": declared features");
            }
            if (keys.has("num_class")) {
                assertEquals(keys.get("num_class").asInt(), declared.get().numClasses(), head.name() + ": declared classes");
            }
            if (head.needsClassCount()) {
                assertTrue(declared.get().numClasses() > 0, head.name() + " needs a class count but declares " + declared.get());
            } else {
                assertEquals(0, declared.get().numClasses(), head.name() + " needs no class count but declares " + declared.get());
            }
        }
    }
}
