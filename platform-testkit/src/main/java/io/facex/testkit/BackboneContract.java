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
import org.junit.jupiter.api.Assumptions;
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
 * input shape gives one embedding of its declared size, its weights written to a safetensors state dict
 * and read into a fresh block give the same embeddings, bit for bit, and a few training steps on a
 * fixed batch lower a classifier's loss.
 *
 * <p>A port of one of FaceX-Zoo's backbones also states FaceX-Zoo's numbers and the contract checks
 * them: {@link #faceXZooParameterCount()} (spec §1.0), {@link #faceXZooGoldenForward()} (spec §1.13) and
 * {@link #faceXZooFixture()}, weights and outputs FaceX-Zoo's own code produced.
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

    /** FaceX-Zoo's trainable parameter count at {@link #goldenConfig()}, or -1 for a backbone of our own. */
    protected long faceXZooParameterCount() {
        return -1;
    }

    /** FaceX-Zoo's golden forward checksums at {@link #goldenConfig()}, or null for a backbone of our own. */
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return null;
    }

    /**
     * FaceX-Zoo's state dict at {@link #goldenConfig()} (spec §1.0): how many keys and buffer elements it
     * has — both counting the {@code num_batches_tracked} of each BatchNorm, which DJL does not keep — and
     * keys it must and must not contain.
     */
    public record StateDictLayout(int keys, long bufferElements, java.util.List<String> present, java.util.List<String> absent) {
    }

    /** FaceX-Zoo's state-dict layout for this backbone, or null for a backbone of our own. */
    protected StateDictLayout faceXZooStateDict() {
        return null;
    }

    /** The configuration FaceX-Zoo's count and checksums are for: by default, the plugin's defaults. */
    protected C goldenConfig() {
        return backbone.defaultConfig();
    }

    /**
     * Test resources under {@code /fixtures/}, made by FaceX-Zoo's own code at {@link #fixtureConfig()}.
     *
     * @param weights a {@code .pt} file torch.save wrote: the backbone's state dict, or a FaceX-Zoo
     *                training checkpoint (keys with {@code backbone.})
     * @param io      an {@code .npz} with {@code input}, a batch of faces, and {@code output}, FaceX-Zoo's
     *                eval-mode embeddings of it
     */
    public record Fixture(String weights, String io) {
    }

    /** FaceX-Zoo's weights and outputs for this backbone, or null when there are none. */
    protected Fixture faceXZooFixture() {
        return null;
    }

    /** The configuration of the fixture: by default {@link #testConfig()} (a reduced width keeps it small). */
    protected C fixtureConfig() {
        return testConfig();
    }

    @Test
    public void parameterCountIsFaceXZoos() {
        Assumptions.assumeTrue(faceXZooParameterCount() >= 0, "not a port of a FaceX-Zoo backbone");
        C c = goldenConfig();
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = backbone.build(c);
            block.initialize(m, DataType.FLOAT32, new Shape(1).addAll(backbone.inputShape(c)));
            long n = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    n += p.getValue().getArray().size();
                }
            }
            assertEquals(faceXZooParameterCount(), n, backbone.name() + ": trainable parameters");
        }
    }

    /** Every parameter under its own FaceX-Zoo key, and FaceX-Zoo's key and buffer counts. */
    @Test
    public void stateDictIsFaceXZoos() {
        StateDictLayout layout = faceXZooStateDict();
        Assumptions.assumeTrue(layout != null, "not a port of a FaceX-Zoo backbone");
        C c = goldenConfig();
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = backbone.build(c);
            block.initialize(m, DataType.FLOAT32, new Shape(1).addAll(backbone.inputShape(c)));
            long buffers = 0;
            java.util.Set<String> keys = new java.util.LinkedHashSet<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (!p.getValue().requiresGradient()) {
                    buffers += p.getValue().getArray().size();
                }
                String key = io.facex.nn.TorchNames.toTorch(p.getKey());
                assertTrue(keys.add(key), backbone.name() + ": two parameters map to " + key);
            }
            long batchNorms = keys.stream().filter(k -> k.endsWith("running_mean")).count();
            assertEquals(layout.keys(), keys.size() + batchNorms, backbone.name() + ": state-dict keys");
            assertEquals(layout.bufferElements(), buffers + batchNorms, backbone.name() + ": buffer elements");
            for (String k : layout.present()) {
                assertTrue(keys.contains(k), backbone.name() + ": no parameter has FaceX-Zoo's key " + k);
            }
            for (String k : layout.absent()) {
                assertFalse(keys.contains(k), backbone.name() + ": FaceX-Zoo has no key " + k);
            }
        }
    }

    @Test
    public void goldenForwardIsFaceXZoos() {
        Assumptions.assumeTrue(faceXZooGoldenForward() != null, "not a port of a FaceX-Zoo backbone");
        GoldenForward.assertMatches(backbone.name(), faceXZooGoldenForward(), GoldenForward.run(backbone, goldenConfig()), 1e-3);
    }

    /**
     * FaceX-Zoo's weights through the safe import, FaceX-Zoo's input: FaceX-Zoo's output to 1e-4 of its scale,
     * with and without BatchNorm folded for inference.
     */
    @Test
    public void faceXZooWeightsGiveFaceXZoosEmbeddings(@TempDir Path dir) throws IOException {
        Fixture fixture = faceXZooFixture();
        Assumptions.assumeTrue(fixture != null, "no FaceX-Zoo fixture");
        StateDict outputs = io.facex.weights.Npz.read(copy(fixture.io(), dir));
        StateDict weights = io.facex.weights.Weights.load(copy(fixture.weights(), dir)).backbone();
        C c = fixtureConfig();
        Tensor input = outputs.require("input");
        float[] expected = outputs.require("output").toFloatArray();
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(input.shape());
            Block block = backbone.build(c);
            block.initialize(m, DataType.FLOAT32, in);
            BlockWeights.apply(block, weights, io.facex.nn.TorchNames::toTorch);
            float[] out = embed(block, m, m.create(input.toFloatArray(), in)).toFloatArray();
            assertEquals(expected.length, out.length, backbone.name() + ": output size");
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            double worst = 0;
            for (int i = 0; i < out.length; i++) {
                worst = Math.max(worst, Math.abs(out[i] - expected[i]) / scale);
            }
            assertTrue(worst < 1e-4, backbone.name() + ": max |ours - FaceX-Zoo's| / max |FaceX-Zoo's| = " + worst);

            // inference folds BatchNorm into the layers before it (the Embedder does): the same embeddings
            io.facex.nn.BatchNormFolding.fold(block, m);
            float[] folded = embed(block, m, m.create(input.toFloatArray(), in)).toFloatArray();
            double drift = 0;
            for (int i = 0; i < out.length; i++) {
                drift = Math.max(drift, Math.abs(folded[i] - out[i]) / scale);
                worst = Math.max(worst, Math.abs(folded[i] - expected[i]) / scale);
            }
            assertTrue(drift < 1e-5, backbone.name() + ": BatchNorm folded: max |folded - unfolded| / max |FaceX-Zoo's| = " + drift);
            assertTrue(worst < 1e-4, backbone.name() + ": BatchNorm folded: max |ours - FaceX-Zoo's| / max |FaceX-Zoo's| = " + worst);
        }
    }

    private Path copy(String resource, Path dir) throws IOException {
        try (java.io.InputStream in = getClass().getResourceAsStream("/fixtures/" + resource)) {
            assertTrue(in != null, "test resource /fixtures/" + resource + " is missing");
            Path file = dir.resolve(resource);
            java.nio.file.Files.copy(in, file);
            return file;
        }
    }

    /**
     * How far {@link #channelsLastComputesTheSameFunction()} lets the two layouts differ, relative to the
     * largest value: oneDNN's NHWC and NCHW kernels round differently, and how far that carries depends on
     * the depth and on the CPU's kernels.
     */
    protected double channelsLastTolerance() {
        return 1e-4;
    }

    /** Steps of {@link #trainingLowersTheLoss()}. */
    protected int trainingSteps() {
        return 6;
    }

    /**
     * The backbone trains: a few SGD steps on one fixed batch of {@link #batchSize()} + 2 faces of two
     * identities, through a linear softmax classifier, end with a lower loss than they began.
     */
    @Test
    public void trainingLowersTheLoss() {
        C c = testConfig();
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        int n = batchSize() + 2;
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(n).addAll(backbone.inputShape(c));
            Block block = backbone.build(c);
            block.initialize(m, DataType.FLOAT32, in);
            Block classifier = ai.djl.nn.core.Linear.builder().setUnits(2).build();
            classifier.initialize(m, DataType.FLOAT32, new Shape(n, backbone.featureDim(c)));
            ai.djl.util.PairList<String, Parameter> params = new ai.djl.util.PairList<>();
            params.addAll(io.facex.nn.TorchNames.checkpointKeys("backbone.", block));
            params.addAll(io.facex.nn.TorchNames.checkpointKeys("classifier.", classifier));
            io.facex.nn.TorchSgd sgd = new io.facex.nn.TorchSgd(m, 0.9, 0);
            NDArray x = m.randomNormal(in);
            NDArray y = m.create(new float[n]);
            for (int i = 0; i < n; i++) {
                y.set(new ai.djl.ndarray.index.NDIndex(i), i % 2);
            }
            ai.djl.training.loss.Loss loss = ai.djl.training.loss.Loss.softmaxCrossEntropyLoss();
            double[] losses = new double[trainingSteps()];
            for (int step = 0; step < losses.length; step++) {
                try (NDManager s = m.newSubManager();
                     ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    ParameterStore ps = new ParameterStore(s, false);
                    NDArray features = block.forward(ps, new NDList(x), true).singletonOrThrow();
                    NDArray logits = classifier.forward(ps, new NDList(features), true).singletonOrThrow();
                    NDArray l = loss.evaluate(new NDList(y), new NDList(logits));
                    losses[step] = l.getFloat();
                    assertTrue(Double.isFinite(losses[step]), backbone.name() + ": loss at step " + step + " is " + losses[step]);
                    gc.backward(l);
                }
                sgd.step(params, 0.01);
            }
            double last = (losses[losses.length - 1] + losses[losses.length - 2]) / 2;
            assertTrue(last < losses[0], backbone.name() + ": loss did not fall: " + java.util.Arrays.toString(losses));
        }
    }

    /**
     * The gradients do not depend on the garbage collector: a backward pass after a collection between it
     * and its forward pass gives the same input gradient as one without (DJL's {@code mul(Number)} and kin
     * keep a tensor over a Java buffer in the graph; use {@code io.facex.nn.Scalars}).
     */
    @Test
    public void gradientsSurviveAGarbageCollection() {
        C c = testConfig();
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = batchShape(c);
            Block block = backbone.build(c);
            block.initialize(m, DataType.FLOAT32, in);
            NDArray x = m.randomNormal(in);
            float[] calm = inputGradient(block, m, x, false);
            float[] churned = inputGradient(block, m, x, true);
            org.junit.jupiter.api.Assertions.assertArrayEquals(calm, churned, 1e-5f,
                    backbone.name() + ": the gradient changed after a garbage collection between forward and backward");
        }
    }

    /**
     * A backbone that stores its activations channels-last ({@link io.facex.nn.ChannelsLast}, NHWC, for
     * oneDNN's faster kernels) computes the same function as on the plain NCHW layout: the same output,
     * input gradient and parameter gradients, to float rounding.
     */
    @Test
    public void channelsLastComputesTheSameFunction() {
        C c = testConfig();
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = batchShape(c);
            Block block = backbone.build(c);
            Assumptions.assumeTrue(storesChannelsLast(block), backbone.name() + " keeps the NCHW layout");
            block.initialize(m, DataType.FLOAT32, in);
            NDArray x = m.randomNormal(in);
            java.util.List<NDArray> params = new java.util.ArrayList<>();
            block.getParameters().forEach(p -> params.add(p.getValue().getArray()));
            // in eval mode: batch statistics of a tiny batch make a training-mode pass ill-conditioned
            // (PyTorch's own float32 MobileFaceNet differs from float64 by 1 % in the input gradient there)
            float[][] plain = io.facex.nn.ChannelsLast.plain(() -> pass(block, m, x, params, false, false, false));
            float[][] nhwc = pass(block, m, x, params, false, false, false);
            for (int k = 0; k < plain.length; k++) {
                String what = what(block, k);
                assertClose(plain[k], nhwc[k], channelsLastTolerance(), backbone.name() + ": channels-last " + what);
            }
        }
    }

    /**
     * Training's backward pass cut at the PReLUs ({@link io.facex.nn.CutBackward}, where the backbone's
     * sequence asks for it with {@code cutAtPrelu()}) gives autograd's gradients: the input's and every
     * parameter's, to float rounding (batch norm's and the slopes' sums run in another order). A backbone
     * that does not ask is not cut, and passes trivially.
     */
    @Test
    public void cutBackwardGivesAutogradsGradients() {
        C c = testConfig();
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            // Four faces and a loss linear in the embedding: behind a final batch norm over two faces every
            // embedding is ±gamma + beta whatever the input, so all earlier gradients would be rounding noise.
            Shape in = new Shape(Math.max(4, batchSize())).addAll(backbone.inputShape(c));
            Block block = backbone.build(c);
            block.initialize(m, DataType.FLOAT32, in);
            NDArray x = m.randomNormal(in);
            java.util.List<NDArray> params = new java.util.ArrayList<>();
            block.getParameters().forEach(p -> params.add(p.getValue().getArray()));
            float[][] plain = pass(block, m, x, params, true, false, false);
            float[][] cut = pass(block, m, x, params, true, true, true);
            compareCut(block, plain, cut, "");
            // Without batch norm and PReLU fused into one cut (io.facex.nn.CutBackward.FUSE_BATCH_NORM): the
            // fused cut recomputes the batch norm's output exactly, so not one bit may differ.
            String before = System.getProperty(io.facex.nn.CutBackward.FUSE_BATCH_NORM);
            System.setProperty(io.facex.nn.CutBackward.FUSE_BATCH_NORM, "false");
            float[][] unfused;
            try {
                unfused = pass(block, m, x, params, true, true, true);
            } finally {
                if (before == null) {
                    System.clearProperty(io.facex.nn.CutBackward.FUSE_BATCH_NORM);
                } else {
                    System.setProperty(io.facex.nn.CutBackward.FUSE_BATCH_NORM, before);
                }
            }
            compareCut(block, plain, unfused, ", batch norm not fused");
            for (int k = 0; k < cut.length; k++) {
                String what = what(block, k);
                assertEquals(unfused[k].length, cut[k].length, what);
                for (int i = 0; i < cut[k].length; i++) {
                    float a = unfused[k][i];
                    float b = cut[k][i];
                    if (Float.floatToRawIntBits(a) != Float.floatToRawIntBits(b) && !(a == 0f && b == 0f)) {
                        throw new AssertionError(backbone.name() + ": fusing batch norm into the cut changed the " + what
                                + " at " + i + ": " + a + " against " + b);
                    }
                }
            }
        }
    }

    private void compareCut(Block block, float[][] plain, float[][] cut, String how) {
        assertTrue(plain[1].length > 0 && java.util.Arrays.stream(box(plain[1])).anyMatch(v -> Math.abs(v) > 1e-6),
                backbone.name() + ": the input gradient vanished, so the comparison says nothing");
        boolean asks = any(block, b -> b instanceof io.facex.nn.Sequence s && s.cutsAtPrelu())
                && any(block, b -> b instanceof io.facex.nn.ChannelPrelu);
        assertEquals(asks, lastCuts > 0, backbone.name() + how + ": " + lastCuts + " cuts made");
        assertClose(plain[0], cut[0], 1e-5, backbone.name() + ": cut backward" + how + ", output");
        assertClose(plain[1], cut[1], 1e-5, backbone.name() + ": cut backward" + how + ", input gradient");
        // Against the largest parameter gradient: some are zero but for rounding at initialisation (a
        // batch norm's gamma where the next batch norm undoes any scale), and rounding is all they show.
        double scale = 0;
        for (int k = 2; k < plain.length; k++) {
            for (float v : plain[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int k = 2; k < plain.length; k++) {
            double worst = 0;
            for (int i = 0; i < plain[k].length; i++) {
                worst = Math.max(worst, Math.abs(plain[k][i] - cut[k][i]));
            }
            assertTrue(worst <= 1e-5 * scale, backbone.name() + ": cut backward" + how + ", gradient of "
                    + block.getParameters().get(k - 2).getKey() + ": max |difference| " + worst
                    + " against the largest parameter gradient " + scale);
        }
    }

    /** What row k of {@link #pass}'s result holds. */
    private static String what(Block block, int k) {
        return k == 0 ? "output" : k == 1 ? "input gradient" : "gradient of " + block.getParameters().get(k - 2).getKey();
    }

    private static boolean storesChannelsLast(Block block) {
        return any(block, b -> b instanceof io.facex.nn.ChannelsLast);
    }

    /** Fixed pseudo-random weights shaped like {@code f}. */
    private static NDArray weights(NDArray f) {
        java.util.Random r = new java.util.Random(3);
        float[] w = new float[(int) f.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        return f.getManager().create(w, f.getShape());
    }

    private static Float[] box(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    private static boolean any(Block block, java.util.function.Predicate<Block> test) {
        return test.test(block) || block.getChildren().values().stream().anyMatch(b -> any(b, test));
    }

    /** How many cuts the last cut pass made. */
    private static int lastCuts;

    private static void assertClose(float[] expected, float[] actual, double limit, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double scale = 1e-12;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / scale);
        }
        assertTrue(worst < limit, what + ": max |difference| / max |expected| = " + worst);
    }

    /**
     * Output, input gradient, then each of {@code params}' gradients of one pass: eval mode (eval-mode batch
     * norm and no dropout, so that repeated passes compute the same function) or training mode from a fixed
     * seed; with {@code churn}, a garbage collection runs between forward and backward; with {@code cut},
     * the backward pass is {@link io.facex.nn.CutBackward}'s.
     */
    private static float[][] pass(Block block, NDManager m, NDArray x, java.util.List<NDArray> params,
                                  boolean training, boolean churn, boolean cut) {
        for (NDArray p : params) {
            if (p.hasGradient()) {
                try (NDArray g = p.getGradient()) {
                    g.muli(0f); // DJL accumulates gradients across passes; from zero, each pass's own are exact
                }
            }
        }
        try (NDManager s = m.newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(s);
            in.setRequiresGradient(true);
            float[][] out = new float[2 + params.size()][];
            ai.djl.engine.Engine.getInstance().setRandomSeed(11);
            try (io.facex.nn.CutBackward cuts = cut ? io.facex.nn.CutBackward.open() : null;
                 ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray f = block.forward(new ParameterStore(s, false), new NDList(in), training).singletonOrThrow();
                out[0] = f.toFloatArray();
                NDArray l = training ? f.mul(weights(f)).sum() : f.square().sum();
                if (churn) {
                    GarbageChurn.run();
                }
                if (cut) {
                    lastCuts = cuts.recorded();
                    cuts.backward(gc, l);
                    if (churn) {
                        GarbageChurn.run(); // the gradients the cuts handed to autograd must own their memory
                    }
                } else {
                    gc.backward(l);
                }
            }
            out[1] = in.getGradient().toFloatArray();
            for (int k = 0; k < params.size(); k++) {
                NDArray p = params.get(k);
                out[2 + k] = p.hasGradient() ? p.getGradient().toFloatArray() : new float[0];
            }
            return out;
        }
    }

    private static float[] inputGradient(Block block, NDManager m, NDArray x, boolean churn) {
        return pass(block, m, x, java.util.List.of(), false, churn, false)[1];
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
