package io.facex.head.npcface;

import io.facex.api.InvalidConfigException;
import io.facex.testkit.HeadContract;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The head contract, parity with FaceX-Zoo's {@code head/NPCFace.py} (float32, feat_dim 8, 5 classes,
 * batch 4) from {@code fixtures/npcface.npz}, and the spec's golden table. In the fixture row 0 has
 * cos θ_y ≤ 0 (target left as is) with 3 hard negatives, rows 1 and 2 take the adaptive margin with 4
 * and 2 hard negatives, and row 3 has none (mean over max(0, 1)).
 */
class NPCFaceTest extends HeadContract<NPCFace.Config> {

    private static final NPCFace.Config SMALL = new NPCFace.Config(8, 5, 0.35, 32);

    NPCFaceTest() {
        super(new NPCFace());
    }

    @Override
    protected NPCFace.Config testConfig() {
        return SMALL;
    }

    @Override
    protected String faceXZooFixture() {
        return "npcface.npz";
    }

    @Override
    protected Golden<NPCFace.Config> faceXZooGolden() {
        return new Golden<>(new NPCFace.Config(4, 3, 0.35, 32), new float[] {
            32.429806f, -1.807786f, -3.875582f, -1.172040f, 21.325598f, -20.103945f, 21.840128f, -22.349520f, 27.917662f});
    }

    @Override
    protected boolean renormInitialised() {
        return true;
    }

    @Test
    void rejectsBadConfig() {
        NPCFace npc = new NPCFace();
        assertEquals("margin", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(512, 10, -0.1, 32))).key());
        assertEquals("num_class", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(512, 1, 0.35, 32))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(0, 10, 0.35, 32))).key());
        assertEquals("scale", assertThrows(InvalidConfigException.class,
                () -> npc.validate(new NPCFace.Config(512, 10, 0.35, 0))).key());
    }
}
