package io.facex.assembly;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.facex.api.Backbone;
import io.facex.api.PluginKind;
import io.facex.core.config.ConfigDocument;
import io.facex.core.config.Configs;
import io.facex.core.nn.Djl;
import io.facex.core.registry.PluginInfo;
import io.facex.core.registry.PluginRegistry;
import io.facex.core.registry.UnknownPluginException;
import io.facex.launch.FacexContainer;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

import javax.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

/**
 * In-container tests with Pax Exam (Equinox, native container): the test class runs as a probe bundle
 * beside the distribution's bundles and gets the platform's services injected with their real types.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InContainerPaxTest {

    @Inject
    private BundleContext context;

    @Inject
    private PluginRegistry registry;

    @Configuration
    public Option[] config() throws IOException {
        List<Option> options = new ArrayList<>();
        try (Stream<Path> jars = Files.list(Dist.folder().resolve("bundles"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                if (!jar.getFileName().toString().startsWith("org.apache.felix.gogo.jline")) {
                    options.add(bundle("reference:" + jar.toUri()));
                }
            }
        }
        options.add(junitBundles());
        // Added to Pax Exam's own extra system packages (a framework property would replace them).
        options.add(systemPackages(FacexContainer.systemPackagesExtra().split(",")));
        options.add(frameworkProperty("felix.fileinstall.dir").value(Files.createTempDirectory("pax-plugins").toString()));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(systemProperty("ai.djl.offline").value("true"));
        options.add(cleanCaches());
        return options.toArray(Option[]::new);
    }

    @Test
    public void everyBundleIsActive() {
        for (Bundle b : context.getBundles()) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE) {
                fail(b.getSymbolicName() + " " + b.getVersion() + " is not active (state " + b.getState() + ")");
            }
        }
    }

    @Test
    public void registryServiceResolvesPluginsByNameFromConfiguration() throws IOException {
        Path conf = Files.createTempFile("backbone_conf", ".yaml");
        conf.toFile().deleteOnExit();
        Files.writeString(conf, "MobileFaceNet:\n    feat_dim: 256\n");
        PluginInfo info = registry.find(PluginKind.BACKBONE, "MobileFaceNet").orElseThrow();
        assertEquals("facex-backbone-mobilefacenet", info.origin());
        Backbone<?> backbone = registry.get(Backbone.class, "MobileFaceNet");
        assertEquals(256, featureDim(backbone, ConfigDocument.read(conf)));
        assertEquals("facex-backbone-resnet", registry.find(PluginKind.BACKBONE, "SE-ResNet").orElseThrow().origin());
        try {
            registry.get(Backbone.class, "NoSuchNet");
            fail("NoSuchNet is not installed");
        } catch (UnknownPluginException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("unknown backbone 'NoSuchNet'"));
            assertTrue(e.getMessage(), e.getMessage().contains("; available backbones: ")
                    && e.getMessage().contains("MobileFaceNet") && e.getMessage().contains("ResNet"));
        }
    }

    private static <C> int featureDim(Backbone<C> b, ConfigDocument doc) {
        return b.featureDim(Configs.bind(b, doc, b.name()));
    }

    @Test
    public void djlRunsInsideTheContainerOnAPluginsBlock() {
        Backbone<?> backbone = registry.get(Backbone.class, "MobileFaceNet");
        Block block = build(backbone);
        try (NDManager manager = Djl.newManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 112, 112));
            NDArray x = manager.randomUniform(-1, 1, new Shape(2, 3, 112, 112));
            NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(2, 512), y.getShape());
            NDArray norms = y.norm(new int[] {1});
            assertTrue(norms.getFloat(0) > 0 && Float.isFinite(norms.getFloat(1)));
        }
    }

    private static <C> Block build(Backbone<C> b) {
        return b.build(b.defaultConfig());
    }
}
