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
import io.facex.nn.CosineClassifier;
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

    /**
     * A training forward pass's inputs from a batch's features and labels: (features, labels) for the
     * class heads; a head with its own protocol (SST's prototype head: both views from both networks)
     * builds its inputs from them.
     */
    protected NDList forwardInputs(NDArray features, NDArray labels) {
        return new NDList(features, labels);
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
            NDList out = block.forward(new ParameterStore(m, false), forwardInputs(features, m.create(labels)), true);
            assertTrue(out.size() >= 1 && out.size() <= 3, head.name() + ": the head returns (logits), (logits, extraLoss) "
                    + "or (logits, extraLoss, targets), got " + out.size() + " arrays");
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

    /**
     * A test resource under {@code /fixtures/}: an {@code .npz} FaceX-Zoo's own head code wrote for one
     * training step at {@link #testConfig()} — {@code features}, {@code weight} (the class matrix),
     * {@code labels}, and its {@code logits}, {@code loss} (cross-entropy, plus the mean of the second
     * term for heads that return one, stored as {@code extra}), {@code grad_features} and
     * {@code grad_weight}; null when there is none.
     */
    protected String faceXZooFixture() {
        return null;
    }

    /** FaceX-Zoo's logits, loss and both gradients to 1e-5 (the loss relative to its size: γ = 256 makes it ~300). */
    @Test
    public void faceXZooFixtureGivesFaceXZoosLogitsLossAndGradients(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        String name = faceXZooFixture();
        org.junit.jupiter.api.Assumptions.assumeTrue(name != null, "no FaceX-Zoo fixture");
        io.facex.weights.StateDict f;
        try (java.io.InputStream in = getClass().getResourceAsStream("/fixtures/" + name)) {
            assertTrue(in != null, "test resource /fixtures/" + name + " is missing");
            java.nio.file.Path file = dir.resolve(name);
            java.nio.file.Files.copy(in, file);
            f = io.facex.weights.Npz.read(file);
        }
        io.facex.weights.Tensor feats = f.require("features");
        io.facex.weights.Tensor weight = f.require("weight");
        Block b = head.build(testConfig(), new HeadSize((int) feats.shape()[1], (int) f.require("logits").shape()[1]));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(f.require("labels").toLongArray());
            b.initialize(m, DataType.FLOAT32, new Shape(feats.shape()), labels.getShape());
            ai.djl.nn.Parameter classes = classMatrix(b);
            classes.getArray().set(weight.toFloatArray());
            NDArray x = m.create(feats.toFloatArray(), new Shape(feats.shape()));
            x.setRequiresGradient(true);
            NDArray z;
            NDArray loss;
            NDArray extra = null;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDList out = b.forward(new ParameterStore(m, true), new NDList(x, labels), true);
                z = out.get(0);
                loss = ai.djl.training.loss.Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(z));
                if (out.size() > 1) {
                    // AdaM-Softmax's and MagFace's second term, added as the training loop adds it
                    extra = out.get(1);
                    loss = loss.add(extra.mean());
                }
                gc.backward(loss);
            }
            if (f.contains("extra")) {
                assertTrue(extra != null, head.name() + ": FaceX-Zoo's head returns a second term, this one does not");
                org.junit.jupiter.api.Assertions.assertArrayEquals(f.require("extra").toFloatArray(), extra.toFloatArray(),
                        1e-5f, head.name() + ": the second loss term");
            }
            String what = head.name() + " against FaceX-Zoo's " + name + ": ";
            org.junit.jupiter.api.Assertions.assertArrayEquals(f.require("logits").toFloatArray(), z.toFloatArray(), 1e-5f,
                    what + "logits");
            float expected = f.require("loss").toFloatArray()[0];
            assertEquals(expected, loss.getFloat(), 1e-5 * Math.max(1, Math.abs(expected)), what + "loss");
            org.junit.jupiter.api.Assertions.assertArrayEquals(f.require("grad_features").toFloatArray(),
                    x.getGradient().toFloatArray(), 1e-5f, what + "d loss / d features");
            org.junit.jupiter.api.Assertions.assertArrayEquals(f.require("grad_weight").toFloatArray(),
                    classes.getArray().getGradient().toFloatArray(), 1e-5f, what + "d loss / d weight");
        }
    }

    /** The spec's golden case (§2): a configuration of 4 features and 3 classes, and FaceX-Zoo's logits for it. */
    public record Golden<C>(C config, float[] logits) {
    }

    /** FaceX-Zoo's logits on the spec's golden input, or null when there are none. */
    protected Golden<C> faceXZooGolden() {
        return null;
    }

    /** The spec's golden input (§2): features (3, 4), the class matrix (4, 3), labels. */
    private static final float[] GOLDEN_FEATURES = {1, 2, 3, 4, -1, 0.5f, 2, -0.3f, 0.3f, -0.2f, 0.1f, 0.9f};
    private static final float[] GOLDEN_CLASSES = {0.5f, -0.2f, 0.9f, 0.1f, 0.8f, 0.3f, 0.7f, 0.1f, -0.4f, 0.2f, -0.5f, 0.6f};
    private static final long[] GOLDEN_LABELS = {2, 0, 1};

    /** The spec's golden logits to 1e-4 (they are given to six decimals at magnitudes up to hundreds). */
    @Test
    public void goldenLogitsAreFaceXZoos() {
        Golden<C> golden = faceXZooGolden();
        org.junit.jupiter.api.Assumptions.assumeTrue(golden != null, "no golden values");
        Block b = head.build(golden.config(), new HeadSize(4, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(GOLDEN_LABELS);
            b.initialize(m, DataType.FLOAT32, new Shape(3, 4), labels.getShape());
            // FaceX-Zoo's AdaCos and ArcNegFace hold the transpose: one class per row
            classMatrix(b).getArray().set(classesFirst(b) ? transpose(GOLDEN_CLASSES, 4, 3) : GOLDEN_CLASSES);
            NDArray z = b.forward(new ParameterStore(m, false), new NDList(m.create(GOLDEN_FEATURES, new Shape(3, 4)), labels),
                    false).get(0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(golden.logits(), z.toFloatArray(), 1e-4f,
                    head.name() + ": the spec's golden logits");
        }
    }

    /** Whether the class matrix starts with FaceX-Zoo's renorm initialisation (unit class columns). */
    protected boolean renormInitialised() {
        return false;
    }

    @Test
    public void renormInitGivesUnitClassColumns() {
        org.junit.jupiter.api.Assumptions.assumeTrue(renormInitialised(), "not renorm-initialised");
        Block b = head.build(testConfig(), new HeadSize(64, 10));
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(2, 64), new Shape(2));
            for (float n : classMatrix(b).getArray().norm(new int[] {classesFirst(b) ? 1 : 0}).toFloatArray()) {
                assertEquals(1.0, n, 1e-4, head.name() + ": a class column's norm");
            }
        }
    }

    /** The class matrix: the head's trainable parameter (FaceX-Zoo calls it weight, kernel or W). */
    private static ai.djl.nn.Parameter classMatrix(Block b) {
        if (b instanceof CosineClassifier c) {
            return c.classMatrix();
        }
        return b.getParameters().values().stream().filter(ai.djl.nn.Parameter::requiresGradient).findFirst().orElseThrow();
    }

    private static boolean classesFirst(Block b) {
        return b instanceof CosineClassifier c && c.classesFirst();
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /**
     * The gradients do not depend on the garbage collector: two identical heads, one with a collection
     * between forward and backward, give the same feature gradients (DJL's {@code mul(Number)} and kin
     * keep a tensor over a Java buffer in the graph; use {@code io.facex.nn.Scalars}).
     */
    @Test
    public void gradientsSurviveAGarbageCollection() {
        HeadSize size = testSize();
        int n = batchSize() + 1;
        try (NDManager m = NDManager.newBaseManager()) {
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = size.numClasses() > 0 ? i % size.numClasses() : i;
            }
            NDArray labels = m.create(y);
            NDArray features = m.randomNormal(new Shape(n, size.featureDim())).mul(3);
            Block a = head.build(testConfig(), size);
            Block b = head.build(testConfig(), size);
            a.initialize(m, DataType.FLOAT32, features.getShape(), labels.getShape());
            b.initialize(m, DataType.FLOAT32, features.getShape(), labels.getShape());
            for (int k = 0; k < a.getParameters().size(); k++) {
                b.getParameters().valueAt(k).getArray().set(a.getParameters().valueAt(k).getArray().toByteBuffer());
            }
            float[] calm = featureGradient(a, m, features, labels, false);
            float[] churned = featureGradient(b, m, features, labels, true);
            org.junit.jupiter.api.Assertions.assertArrayEquals(calm, churned, 1e-5f,
                    head.name() + ": the gradient changed after a garbage collection between forward and backward");
        }
    }

    private float[] featureGradient(Block block, NDManager m, NDArray features, NDArray labels, boolean churn) {
        // the same random draws in both passes, for heads whose inputs draw some (forwardInputs)
        ai.djl.engine.Engine.getInstance().setRandomSeed(11);
        try (NDManager s = m.newSubManager()) {
            NDArray x = features.duplicate();
            x.attach(s);
            x.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDList out = block.forward(new ParameterStore(s, false), forwardInputs(x, labels), true);
                NDArray l = out.get(0).square().mean();
                if (out.size() > 1 && out.get(1).getShape().dimension() <= 2 && out.get(1).getDataType().isFloating()) {
                    l = l.add(out.get(1).mean());
                }
                if (churn) {
                    GarbageChurn.run();
                }
                gc.backward(l);
            }
            return x.getGradient().toFloatArray();
        }
    }

    /**
     * Faces lying exactly on their class vectors (target cosine 1, or a rounding error past it), where
     * the square root and arccosine of the margin rules have infinite slope: FaceX-Zoo gets NaN there;
     * a head here must give a finite loss and finite gradients, or one such face would poison a step.
     */
    @Test
    public void facesOnTheirClassVectorsGiveFiniteGradients() {
        HeadSize size = new HeadSize(8, 5);
        Block b = head.build(testConfig(), size);
        org.junit.jupiter.api.Assumptions.assumeTrue(b instanceof CosineClassifier, "not a cosine classifier");
        CosineClassifier cc = (CosineClassifier) b;
        try (NDManager m = NDManager.newBaseManager()) {
            long[] y = {0, 1, 2, 3, 4, 0, 1, 2};
            NDArray labels = m.create(y);
            b.initialize(m, DataType.FLOAT32, new Shape(y.length, 8), labels.getShape());
            NDArray w = cc.classMatrix().getArray();
            NDArray vectors = cc.classesFirst() ? w.get(labels) : w.transpose().get(labels);
            // magnitudes from 1 to 200 (MagFace clamps them to [10, 110]), some rounding past cos = 1
            float[] scale = {1, 3, 7, 10, 30, 60, 110, 200};
            NDArray x = vectors.mul(m.create(scale, new Shape(y.length, 1))).duplicate();
            x.setRequiresGradient(true);
            float loss;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDList out = b.forward(new ParameterStore(m, false), new NDList(x, labels), true);
                NDArray l = ai.djl.training.loss.Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(out.get(0)));
                if (out.size() > 1) {
                    l = l.add(out.get(1).mean());
                }
                loss = l.getFloat();
                gc.backward(l);
            }
            assertTrue(Float.isFinite(loss), head.name() + ": loss " + loss);
            for (float v : x.getGradient().toFloatArray()) {
                assertTrue(Float.isFinite(v), head.name() + ": a feature gradient is not finite");
            }
            for (float v : w.getGradient().toFloatArray()) {
                assertTrue(Float.isFinite(v), head.name() + ": a class-vector gradient is not finite");
            }
        }
    }

    /**
     * Partial FC: a sampled training pass scores every class of the batch and others up to the rate, gives
     * each row's target column among them, and one SGD step moves only the drawn classes' vectors.
     */
    @Test
    public void sampledPassScoresTheBatchsClassesAndUpdatesOnlyTheDrawnOnes() {
        HeadSize size = new HeadSize(8, 40);
        Block b = head.build(testConfig(), size);
        org.junit.jupiter.api.Assumptions.assumeTrue(b instanceof CosineClassifier, "not a cosine classifier");
        CosineClassifier cc = (CosineClassifier) b;
        try (NDManager m = NDManager.newBaseManager()) {
            long[] y = {3, 17, 3, 39};
            NDArray labels = m.create(y);
            b.initialize(m, DataType.FLOAT32, new Shape(y.length, 8), labels.getShape());
            try {
                cc.sampleClasses(0.25, 7);
            } catch (IllegalArgumentException e) {
                org.junit.jupiter.api.Assumptions.abort(head.name() + " does not sample: " + e.getMessage());
            }
            NDArray before = cc.classMatrix().getArray().duplicate();
            NDArray x = m.randomNormal(new Shape(y.length, 8));
            NDList out;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                out = b.forward(new ParameterStore(m, false), new NDList(x, labels), true);
                assertEquals(3, out.size(), head.name() + ": logits, second term, targets");
                NDArray loss = ai.djl.training.loss.Loss.softmaxCrossEntropyLoss()
                        .evaluate(new NDList(out.get(2)), new NDList(out.get(0))).add(out.get(1).mean());
                assertTrue(Float.isFinite(loss.getFloat()), head.name() + ": sampled loss " + loss.getFloat());
                gc.backward(loss);
            }
            assertEquals(new Shape(y.length, 10), out.get(0).getShape(), head.name() + ": 25 % of 40 classes");
            io.facex.nn.TorchSgd sgd = new io.facex.nn.TorchSgd(m, 0.9, 5e-4);
            // the training step's order: the dense step over every parameter, then the drawn classes
            sgd.step(new ai.djl.util.PairList<>(java.util.List.of("weight"), java.util.List.of(cc.classMatrix())), 0.1);
            cc.stepSampled(sgd, "weight", 0.1);
            NDArray after = cc.classMatrix().getArray();
            int axis = cc.classesFirst() ? 1 : 0;
            boolean[] moved = new boolean[40];
            float[] change = after.sub(before).abs().sum(new int[] {axis}).toFloatArray();
            int count = 0;
            for (int k = 0; k < 40; k++) {
                moved[k] = change[k] > 0;
                count += moved[k] ? 1 : 0;
            }
            for (long label : y) {
                assertTrue(moved[(int) label], head.name() + ": class " + label + " of the batch was updated");
            }
            assertEquals(10, count, head.name() + ": only the 10 drawn classes move");
            long[] targets = out.get(2).toLongArray();
            for (int i = 0; i < y.length; i++) {
                int rank = 0;
                for (int k = 0; k < y[i]; k++) {
                    rank += moved[k] ? 1 : 0;
                }
                assertEquals(rank, targets[i], head.name() + ": row " + i + "'s target column");
            }
        }
    }
}
