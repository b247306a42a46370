package io.facex.backbone.repvgg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.facex.api.InvalidConfigException;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.nn.TorchNames;
import io.facex.testkit.BackboneContract;
import io.facex.testkit.GoldenForward;
import io.facex.weights.BlockWeights;
import io.facex.weights.DType;
import io.facex.weights.Npz;
import io.facex.weights.StateDict;
import io.facex.weights.Tensor;
import io.facex.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backbone contract on a reduced RepVGG (blocks 2,2,2,1, widths 0.25,0.25,0.25,0.125, 32 features:
 * FaceX-Zoo's own weights and outputs for it are the contract's fixture), FaceX-Zoo's numbers at the
 * default B1 (parameter count, golden forward, keys), every preset's parameter count in both forms, and
 * the re-parameterisation: the deploy form computes the train form's function, and converting FaceX-Zoo's
 * weights gives what FaceX-Zoo's {@code repvgg_model_convert} gave.
 *
 * <p>Fixtures ({@code src/test/resources/fixtures}, made with FaceX-Zoo's {@code backbone/RepVGG.py} under
 * Debian's PyTorch 1.13, see the bundle's README): {@code facexzoo_repvgg_tiny.pt} (the train-form state
 * dict, BatchNorm weights and statistics randomised so the fusion is not trivial),
 * {@code facexzoo_repvgg_tiny_deploy.pt} ({@code repvgg_model_convert(model, save_path=...)}'s file) and
 * {@code repvgg_tiny_io.npz} ({@code input}, 2 faces; {@code output} of the train form and
 * {@code output_deploy} of the converted model, both in eval mode); the same three for {@code tiny_g2}
 * (widths 0.125, 8 features, the original's {@code g2_map}, one face).
 */
class RepVGGTest extends BackboneContract<RepVGG.Config> {

    static final RepVGG.Config TINY = new RepVGG.Config(2, 2, 2, 1, 0.25, 0.25, 0.25, 0.125, 7, 7, 32, 1, false);
    static final RepVGG.Config TINY_G2 = new RepVGG.Config(2, 2, 2, 1, 0.125, 0.125, 0.125, 0.125, 7, 7, 8, 2, false);

    /** The train-vs-deploy tolerance the port promises: max |deploy − train| / max |train|. */
    static final double EQUIVALENT = 1e-4;

    private final RepVGG net = new RepVGG();

    @TempDir
    Path dir;

    RepVGGTest() {
        super(new RepVGG());
    }

    @Override
    protected RepVGG.Config testConfig() {
        return TINY;
    }

    @Override
    protected long faceXZooParameterCount() {
        return 106_751_872;
    }

    @Override
    protected GoldenForward.Checksum faceXZooGoldenForward() {
        return new GoldenForward.Checksum(2.382130e+04, 1.226956e+05, 3.068101e+03, -7.635058e+03, -7.018773e+03);
    }

    @Override
    protected Fixture faceXZooFixture() {
        return new Fixture("facexzoo_repvgg_tiny.pt", "repvgg_tiny_io.npz");
    }

    @Override
    protected StateDictLayout faceXZooStateDict() {
        return new StateDictLayout(463, 73_297, List.of(
                "stage0.rbr_dense.conv.weight",
                "stage0.rbr_1x1.bn.running_var",
                "stage1.1.rbr_identity.weight",
                "stage3.15.rbr_identity.running_mean",
                "stage4.0.rbr_1x1.conv.weight",
                "output_layer.0.running_var",
                "output_layer.2.weight",
                "output_layer.2.bias",
                "output_layer.3.weight"),
                List.of(
                "stage0.rbr_identity.weight",
                "stage1.0.rbr_identity.weight",
                "stage4.0.rbr_identity.weight"));
    }

    /**
     * Every preset is the original's {@code create_RepVGG_*}: its parameter count, measured with FaceX-Zoo's
     * code, in the train form and after {@code repvgg_model_convert}. Counted from the layout the build
     * follows for all fourteen, and from built blocks for three (building all 28 takes half a minute).
     */
    @Test
    void presetsAreTheOriginalsModels() {
        Map<String, long[]> faceXZoo = new LinkedHashMap<>();
        faceXZoo.put("RepVGG-A0", new long[] {39_944_704, 39_145_120});
        faceXZoo.put("RepVGG-A1", new long[] {44_928_000, 43_625_600});
        faceXZoo.put("RepVGG-A2", new long[] {62_129_856, 59_419_200});
        faceXZoo.put("RepVGG-B0", new long[] {46_653_696, 45_174_784});
        faceXZoo.put("RepVGG-B1", new long[] {106_751_872, 101_166_336});
        faceXZoo.put("RepVGG-B1g2", new long[] {95_119_232, 90_696_960});
        faceXZoo.put("RepVGG-B1g4", new long[] {89_302_912, 85_462_272});
        faceXZoo.put("RepVGG-B2", new long[] {150_693_312, 141_986_048});
        faceXZoo.put("RepVGG-B2g2", new long[] {132_517_312, 125_627_648});
        faceXZoo.put("RepVGG-B2g4", new long[] {123_429_312, 117_448_448});
        faceXZoo.put("RepVGG-B3", new long[] {184_756_224, 172_631_808});
        faceXZoo.put("RepVGG-B3g2", new long[] {158_582_784, 149_075_712});
        faceXZoo.put("RepVGG-B3g4", new long[] {145_496_064, 137_297_664});
        faceXZoo.put("RepVGG-D2se", new long[] {192_727_232, 179_779_968});
        assertEquals(List.copyOf(faceXZoo.keySet()), List.copyOf(net.presets().keySet()));
        assertEquals(net.defaultConfig(), net.presets().get("RepVGG-B1"));
        for (Map.Entry<String, RepVGG.Config> e : net.presets().entrySet()) {
            RepVGG.Config c = e.getValue();
            net.validate(c);
            assertFalse(c.deploy(), e.getKey());
            assertEquals(faceXZoo.get(e.getKey())[0], layoutCount(c), e.getKey() + ", train form");
            assertEquals(faceXZoo.get(e.getKey())[1], layoutCount(c.withDeploy(true)), e.getKey() + ", deploy form");
        }
        RepVGG.Config a0 = net.presets().get("RepVGG-A0");
        assertEquals(faceXZoo.get("RepVGG-A0")[0], builtCount(a0));
        assertEquals(faceXZoo.get("RepVGG-A0")[1], builtCount(a0.withDeploy(true)));
        assertEquals(faceXZoo.get("RepVGG-B1g4")[0], builtCount(net.presets().get("RepVGG-B1g4")));
    }

    /** Trainable parameters of the blocks {@link RepVGG#units} lays out and of the output layer. */
    private static long layoutCount(RepVGG.Config c) {
        long n = 0;
        int last = 0;
        for (RepVGG.Unit u : RepVGG.units(c)) {
            long perGroup = u.in() / u.groups();
            n += c.deploy()
                    ? u.out() * perGroup * 9 + u.out()
                    : u.out() * perGroup * 9 + 2L * u.out() + u.out() * perGroup + 2L * u.out() + (u.identity() ? 2L * u.out() : 0);
            last = u.out();
        }
        return n + 2L * last + (long) last * c.outH() * c.outW() * c.featDim() + c.featDim() + 2L * c.featDim();
    }

    /**
     * Trainable parameters of the built block, initialised with zeros (drawing 100M random numbers is
     * what would make this slow).
     */
    private long builtCount(RepVGG.Config c) {
        Block block = net.build(c);
        block.setInitializer(ai.djl.training.initializer.Initializer.ZEROS, p -> true);
        Shape in = new Shape(1).addAll(net.inputShape(c));
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT32, in);
            long n = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    n += p.getValue().getArray().size();
                }
            }
            return n;
        }
    }

    /** The deploy form of a trained block computes its eval-mode function, groups or not. */
    @Test
    void theDeployFormComputesTheTrainFormsFunction() {
        for (RepVGG.Config c : List.of(TINY, TINY_G2, new RepVGG.Config(1, 3, 1, 2, 0.5, 0.25, 0.25, 0.25, 4, 4, 16, 4, false))) {
            try (NDManager m = NDManager.newBaseManager()) {
                Shape in = new Shape(2).addAll(net.inputShape(c));
                Block train = net.build(c);
                train.initialize(m, DataType.FLOAT32, in);
                randomiseBatchNorms(train, new Random(3));
                NDArray x = m.randomNormal(in);
                float[] expected = embed(train, m, x).toFloatArray();

                Block deployed = net.deploy(train, c);
                List<String> keys = new ArrayList<>();
                for (Pair<String, Parameter> p : deployed.getParameters()) {
                    keys.add(TorchNames.toTorch(p.getKey()));
                }
                assertTrue(keys.contains("stage0.rbr_reparam.bias") && keys.contains("stage4.0.rbr_reparam.weight"), keys.toString());
                assertFalse(keys.stream().anyMatch(k -> k.contains("rbr_dense") || k.contains("rbr_identity")), keys.toString());
                assertClose(expected, embed(deployed, m, x).toFloatArray(), EQUIVALENT, c + ": deploy vs train form");
                // the trained block is untouched and still gives its own outputs
                assertArrayEquals(expected, embed(train, m, x).toFloatArray());
            }
        }
    }

    /**
     * FaceX-Zoo's train-form weights converted here give FaceX-Zoo's own {@code repvgg_model_convert}
     * state dict: the same keys in the same order, every tensor to float32 rounding.
     */
    @Test
    void convertingFaceXZoosWeightsGivesFaceXZoosDeployWeights() throws IOException {
        for (String name : List.of("tiny", "tiny_g2")) {
            RepVGG.Config c = name.equals("tiny") ? TINY : TINY_G2;
            StateDict theirs = Weights.load(fixture("facexzoo_repvgg_" + name + "_deploy.pt")).backbone();
            StateDict ours = RepVGG.deployWeights(Weights.load(fixture("facexzoo_repvgg_" + name + ".pt")).backbone(), c);
            assertEquals(List.copyOf(theirs.keys()), List.copyOf(ours.keys()), name + ": keys");
            for (String k : theirs.keys()) {
                Tensor a = ours.require(k);
                Tensor b = theirs.require(k);
                assertArrayEquals(b.shape(), a.shape(), k);
                if (b.dtype() != DType.FLOAT32) {
                    assertEquals(b, a, k);
                    continue;
                }
                assertClose(b.toFloatArray(), a.toFloatArray(), 1e-6, name + ": " + k);
            }
        }
    }

    /**
     * The deploy-form block with FaceX-Zoo's converted weights gives FaceX-Zoo's deploy-form outputs, and a
     * block loaded with FaceX-Zoo's train-form weights and converted here gives them too.
     */
    @Test
    void faceXZoosDeployWeightsGiveFaceXZoosDeployOutputs() throws IOException {
        for (String name : List.of("tiny", "tiny_g2")) {
            RepVGG.Config c = name.equals("tiny") ? TINY : TINY_G2;
            StateDict io = Npz.read(fixture("repvgg_" + name + "_io.npz"));
            Tensor input = io.require("input");
            float[] trainOut = io.require("output").toFloatArray();
            float[] deployOut = io.require("output_deploy").toFloatArray();
            assertClose(trainOut, deployOut, EQUIVALENT, name + ": FaceX-Zoo's own two forms");
            try (NDManager m = NDManager.newBaseManager()) {
                Shape in = new Shape(input.shape());
                NDArray x = m.create(input.toFloatArray(), in);

                Block deployed = net.build(c.withDeploy(true));
                deployed.initialize(m, DataType.FLOAT32, in);
                BlockWeights.apply(deployed, Weights.load(fixture("facexzoo_repvgg_" + name + "_deploy.pt")).backbone(), TorchNames::toTorch);
                assertClose(deployOut, embed(deployed, m, x).toFloatArray(), 1e-4, name + ": FaceX-Zoo's deploy weights");

                Block train = net.build(c);
                train.initialize(m, DataType.FLOAT32, in);
                BlockWeights.apply(train, Weights.load(fixture("facexzoo_repvgg_" + name + ".pt")).backbone(), TorchNames::toTorch);
                assertClose(trainOut, embed(train, m, x).toFloatArray(), 1e-4, name + ": FaceX-Zoo's train weights");
                assertClose(deployOut, embed(net.deploy(train, c), m, x).toFloatArray(), 1e-4, name + ": converted here");
            }
        }
    }

    @Test
    void conversionRefusesWhatItCannotConvert() throws IOException {
        StateDict tiny = Weights.load(fixture("facexzoo_repvgg_tiny.pt")).backbone();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RepVGG.deployWeights(tiny, TINY.withDeploy(true)));
        assertTrue(e.getMessage().contains("already the deploy form"), e.getMessage());

        StateDict deployed = Weights.load(fixture("facexzoo_repvgg_tiny_deploy.pt")).backbone();
        e = assertThrows(IllegalArgumentException.class, () -> RepVGG.deployWeights(deployed, TINY));
        assertTrue(e.getMessage().contains("stage1.1.rbr_reparam.weight: already in the deploy form"), e.getMessage());

        // weights of another configuration: every block's problem is named
        e = assertThrows(IllegalArgumentException.class, () -> RepVGG.deployWeights(tiny, TINY_G2));
        assertTrue(e.getMessage().contains("stage0.rbr_dense.conv.weight: shape"), e.getMessage());
        assertTrue(e.getMessage().contains("stage4.0.rbr_dense.conv.weight: shape"), e.getMessage());

        Map<String, Tensor> missing = new LinkedHashMap<>(tiny.asMap());
        missing.remove("stage2.1.rbr_identity.running_var");
        e = assertThrows(IllegalArgumentException.class, () -> RepVGG.deployWeights(new StateDict("cut.pt", missing), TINY));
        assertTrue(e.getMessage().startsWith("cut.pt cannot be converted"), e.getMessage());
        assertTrue(e.getMessage().contains("stage2.1.rbr_identity.running_var: missing"), e.getMessage());
    }

    @Test
    void rejectsBadConfig() {
        assertEquals("blocks1", assertThrows(InvalidConfigException.class,
                () -> net.validate(new RepVGG.Config(0, 2, 2, 1, 1, 1, 1, 1, 7, 7, 512, 1, false))).key());
        assertEquals("width2", assertThrows(InvalidConfigException.class,
                () -> net.validate(new RepVGG.Config(1, 2, 2, 1, 1, 0, 1, 1, 7, 7, 512, 1, false))).key());
        assertEquals("width1", assertThrows(InvalidConfigException.class,
                () -> net.validate(new RepVGG.Config(1, 2, 2, 1, 0.01, 1, 1, 1, 7, 7, 512, 1, false))).key());
        assertEquals("feat_dim", assertThrows(InvalidConfigException.class,
                () -> net.validate(new RepVGG.Config(1, 2, 2, 1, 1, 1, 1, 1, 7, 7, 0, 1, false))).key());
        assertEquals("out_h", assertThrows(InvalidConfigException.class,
                () -> net.validate(new RepVGG.Config(1, 2, 2, 1, 1, 1, 1, 1, 8, 7, 512, 1, false))).key());
        assertEquals("groups", assertThrows(InvalidConfigException.class,
                () -> net.validate(new RepVGG.Config(1, 2, 2, 1, 1, 1, 1, 1, 7, 7, 512, 0, false))).key());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> net.validate(new RepVGG.Config(2, 2, 2, 1, 1, 1, 1, 1, 7, 7, 512, 3, false)));
        assertEquals("groups", e.key());
        assertTrue(e.getMessage().contains("block stage1.1"), e.getMessage());
    }

    @Test
    void theFaceIsSixteenTimesTheLastMap() {
        assertEquals(new Shape(3, 112, 112), net.inputShape(net.defaultConfig()));
        assertEquals(new Shape(3, 60, 112), net.inputShape(new RepVGG.Config(4, 6, 16, 1, 2, 2, 2, 4, 4, 7, 512, 1, false)));
    }

    /** FaceX-Zoo's own section (training_mode/backbone_conf.yaml, integer widths) binds to the defaults. */
    @Test
    void faceXZoosSectionIsTheDefault() throws IOException {
        Path file = Files.writeString(dir.resolve("backbone_conf.yaml"), "RepVGG:\n"
                + "    blocks1: 4\n    blocks2: 6\n    blocks3: 16\n    blocks4: 1\n"
                + "    width1: 2\n    width2: 2\n    width3: 2\n    width4: 4\n"
                + "    out_h: 7\n    out_w: 7\n    feat_dim: 512\n");
        assertEquals(net.defaultConfig(), Configs.bind(net, ConfigDocument.read(file), "RepVGG"));
        Path a0 = Files.writeString(dir.resolve("a0.yaml"), "RepVGG:\n    blocks1: 2\n    blocks2: 4\n    blocks3: 14\n"
                + "    width1: 0.75\n    width2: 0.75\n    width3: 0.75\n    width4: 2.5\n");
        assertEquals(net.presets().get("RepVGG-A0"), Configs.bind(net, ConfigDocument.read(a0), "RepVGG"));
    }

    /** BatchNorm weights and statistics away from 1/0, so that a fusion mistake shows. */
    static void randomiseBatchNorms(Block block, Random r) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            String key = TorchNames.toTorch(p.getKey());
            NDArray a = p.getValue().getArray();
            if (a.getShape().dimension() != 1) {
                continue;
            }
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = key.endsWith("running_var") || key.endsWith("weight")
                        ? 0.5f + r.nextFloat() : (float) (0.1 * r.nextGaussian());
            }
            a.set(v);
        }
    }

    /** max |actual − expected| / max |expected| within {@code tol}. */
    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
        }
        assertTrue(worst <= tol * scale, what + ": max |diff| / max |expected| = " + worst / scale + " > " + tol);
    }

    private Path fixture(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            try (InputStream in = getClass().getResourceAsStream("/fixtures/" + name)) {
                assertNotNull(in, "test resource /fixtures/" + name + " is missing");
                Files.copy(in, file);
            }
        }
        return file;
    }
}
