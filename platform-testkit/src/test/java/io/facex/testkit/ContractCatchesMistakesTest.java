package io.facex.testkit;

import ai.djl.nn.Block;
import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import io.facex.api.AbstractPlugin;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kit's checks fail, saying why, on plugins that break the contract. */
class ContractCatchesMistakesTest {

    /** Declares 16 features, builds 8. */
    static final class Liar extends TinyBackbone {
        @Override
        public int featureDim(Config c) {
            return 16;
        }
    }

    /** Built from its configuration's sizes instead of the platform's. */
    public static final class SelfSized extends AbstractPlugin<SelfSized.Config> implements Head<SelfSized.Config> {
        public record Config(int numClass) {
        }

        public SelfSized() {
            super("SelfSized", "ignores the sizes it is given", Config.class, new Config(3));
        }

        @Override
        public Block build(Config c, HeadSize size) {
            // (features, labels) → the first numClass feature columns as "logits"
            return new LambdaBlock(in -> new NDList(in.get(0).get(":, :" + c.numClass())));
        }
    }

    @Test
    void aWrongEmbeddingSizeIsCaught() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> new BackboneContract<>(new Liar()) { }.aBatchOfFacesGivesOneEmbeddingEach());
        assertTrue(e.getMessage().contains("(N, featureDim)") && e.getMessage().contains("(2, 16)"), e.getMessage());
    }

    @Test
    void anUnpublishedPluginIsToldWhereToListIt() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> new BackboneContract<>(new Liar()) { }.isListedInMetaInfServices());
        assertTrue(e.getMessage().contains("add it as a line of src/main/resources/META-INF/services/io.facex.api.Backbone"),
                e.getMessage());
    }

    @Test
    void aHeadThatIgnoresThePlatformsSizesIsCaught() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> new HeadContract<>(new SelfSized()) { }.isSizedByThePlatformAndGivesOneRowOfLogitsPerFace());
        assertTrue(e.getMessage().contains("built at HeadSize[featureDim=8, numClasses=5]"), e.getMessage());
        assertThrows(AssertionFailedError.class, () -> new HeadContract<>(new SelfSized()) { }.declaredSizesAgreeWithTheConfiguration());
    }
}
