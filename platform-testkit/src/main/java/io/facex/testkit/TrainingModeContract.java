package io.facex.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facex.api.TrainingMode;
import io.facex.api.TrainingPlan;
import io.facex.core.config.Configs;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of a {@link TrainingMode}: {@link PluginContract}'s checks, and its plan states what its
 * configuration says — FaceX-Zoo's {@code batch_size}, {@code epoches}, {@code seed}, {@code print_freq},
 * {@code save_freq} and the initial {@code lr}, for whichever of those keys the configuration has —
 * with a positive, finite learning rate in every epoch, for the defaults and for a changed configuration.
 * Real training through the platform's loop belongs to the mode's own tests.
 *
 * @param <C> the mode's configuration type
 */
public abstract class TrainingModeContract<C> extends PluginContract<C> {

    private final TrainingMode<C> mode;

    protected TrainingModeContract(TrainingMode<C> mode) {
        super(mode);
        this.mode = mode;
    }

    @Test
    public void thePlanFollowsTheConfiguration() {
        C c = testConfig();
        checkPlan(c);
        ObjectNode keys = Configs.yaml().valueToTree(c);
        Map<String, Object> changes = new LinkedHashMap<>();
        for (String k : new String[] {"batch_size", "epoches", "epochs", "seed", "print_freq", "save_freq"}) {
            if (keys.has(k)) {
                changes.put(k, keys.get(k).asLong() + 1);
            }
        }
        if (keys.has("lr")) {
            changes.put("lr", keys.get("lr").asDouble() / 2);
        }
        C changed = Configs.withOverrides(mode, c, changes);
        if (!changes.isEmpty()) {
            assertNotEquals(c, changed);
        }
        checkPlan(changed);
    }

    private void checkPlan(C c) {
        TrainingPlan plan = mode.plan(c);
        JsonNode keys = Configs.yaml().valueToTree(c);
        String what = mode.name() + " " + Configs.toJson(c) + ": plan ";
        if (keys.has("batch_size")) {
            assertEquals(keys.get("batch_size").asInt(), plan.batchSize(), what + "batch size");
        }
        for (String epochs : new String[] {"epoches", "epochs"}) {
            if (keys.has(epochs)) {
                assertEquals(keys.get(epochs).asInt(), plan.epochs(), what + "epochs");
            }
        }
        if (keys.has("seed")) {
            assertEquals(keys.get("seed").asLong(), plan.seed(), what + "seed");
        }
        if (keys.has("print_freq")) {
            assertEquals(keys.get("print_freq").asInt(), plan.printFreq(), what + "print_freq");
        }
        if (keys.has("save_freq")) {
            assertEquals(keys.get("save_freq").asInt(), plan.saveFreq(), what + "save_freq");
        }
        if (keys.has("lr")) {
            assertEquals(keys.get("lr").asDouble(), plan.learningRate().applyAsDouble(0), 1e-12, what + "learning rate of epoch 0");
        }
        for (int e = 0; e < plan.epochs(); e++) {
            double lr = plan.learningRate().applyAsDouble(e);
            assertTrue(lr > 0 && Double.isFinite(lr), what + "learning rate " + lr + " in epoch " + e);
        }
        assertNotNull(plan.sampling(), what + "sampling");
        assertNotNull(plan.augmentation(), what + "augmentation");
    }
}
