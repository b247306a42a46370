package io.facex.tools;

import io.facex.core.registry.PluginRegistry;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

import java.nio.file.Path;
import java.util.function.Supplier;

/** The tools' shell commands: the main job and the experiments (shallow, masked). */
public final class ToolCommands {

    /** The functions registered in the {@code facex} scope. */
    public static final String[] FUNCTIONS = {"quickstart", "shallow", "masked"};

    private final Supplier<PluginRegistry> registry;

    public ToolCommands(Supplier<PluginRegistry> registry) {
        this.registry = registry;
    }

    @Descriptor("The main job on its embedded default: generate synthetic faces, train MobileFaceNet + MV-Softmax, "
            + "verify held-out pairs with LFW's 10-fold protocol and print the accuracy")
    public void quickstart(
            @Descriptor("working folder (data, checkpoints, results)") @Parameter(names = {"-o", "--out"}, absentValue = "quickstart") String out,
            @Descriptor("training identities") @Parameter(names = {"--identities"}, absentValue = "0") int identities,
            @Descriptor("images per identity") @Parameter(names = {"--images"}, absentValue = "0") int images,
            @Descriptor("epochs") @Parameter(names = {"--epoches"}, absentValue = "0") int epochs,
            @Descriptor("learning rate") @Parameter(names = {"--lr"}, absentValue = "0") double lr,
            @Descriptor("held-out identities for verification") @Parameter(names = {"--held-out"}, absentValue = "0") int heldOut,
            @Descriptor("same and different pairs per fold (10 folds)") @Parameter(names = {"--pairs"}, absentValue = "0") int pairs,
            @Descriptor("strength of pose, lighting, occlusion and noise (0 none, 1 strongest; default 0.6)") @Parameter(names = {"--nuisance"}, absentValue = "-1") double nuisance,
            @Descriptor("epochs after which lr drops tenfold, e.g. '2,3' (default: before the last epoch)") @Parameter(names = {"--step"}, absentValue = "") String step,
            @Descriptor("seed of the synthetic faces, the initialisation and the data order (default 0)") @Parameter(names = {"--seed"}, absentValue = "0") long seed)
            throws Exception {
        QuickStart.Options d = QuickStart.Options.defaults(Path.of(out));
        int e = epochs > 0 ? epochs : d.epochs();
        QuickStart.Options o = new QuickStart.Options(d.out(),
                identities > 0 ? identities : d.identities(), images > 0 ? images : d.images(),
                heldOut > 0 ? heldOut : d.heldOut(), pairs > 0 ? pairs : d.pairsPerFold(),
                nuisance >= 0 ? nuisance : d.nuisance(), e, d.batchSize(), lr > 0 ? lr : d.lr(),
                !step.isEmpty() ? step : Integer.toString(Math.max(1, e - 1)), seed, d.workers());
        new QuickStart(registry.get()).run(o, System.out, System.console() != null);
    }

    @Descriptor("Semi-siamese against conventional training on shallow data: synthetic faces with two images per "
            + "identity, MobileFaceNet trained with MV-Softmax and with SST_Prototype (same epochs, batch size and seeds), "
            + "both verified on held-out identities with LFW's 10-fold protocol")
    public void shallow(
            @Descriptor("working folder (data, checkpoints, results)") @Parameter(names = {"-o", "--out"}, absentValue = "shallow") String out,
            @Descriptor("training identities (two images each)") @Parameter(names = {"--identities"}, absentValue = "0") int identities,
            @Descriptor("epochs") @Parameter(names = {"--epoches"}, absentValue = "0") int epochs,
            @Descriptor("learning rate") @Parameter(names = {"--lr"}, absentValue = "0") double lr,
            @Descriptor("epochs after which lr drops tenfold, e.g. '4'") @Parameter(names = {"--step"}, absentValue = "") String step,
            @Descriptor("batch size (identity pairs for semi-siamese)") @Parameter(names = {"--batch_size"}, absentValue = "0") int batch,
            @Descriptor("the SST head's queue size (a multiple of the batch size)") @Parameter(names = {"--queue_size"}, absentValue = "0") int queue,
            @Descriptor("the SST gallery's moving-average weight") @Parameter(names = {"--alpha"}, absentValue = "-1") double alpha,
            @Descriptor("held-out identities for verification") @Parameter(names = {"--held-out"}, absentValue = "0") int heldOut,
            @Descriptor("same and different pairs per fold (10 folds)") @Parameter(names = {"--pairs"}, absentValue = "0") int pairs,
            @Descriptor("strength of pose, lighting, occlusion and noise between the two images of an identity (0 none, 1 strongest; default 0.6)") @Parameter(names = {"--nuisance"}, absentValue = "-1") double nuisance,
            @Descriptor("MobileFaceNet's input side, a multiple of 16 (the 112 x 112 faces are resized; default 48)") @Parameter(names = {"--side"}, absentValue = "0") int side,
            @Descriptor("seeds, comma-separated: one comparison each, with its own faces, initialisation and data order (default 0,1,2)") @Parameter(names = {"--seeds", "--seed"}, absentValue = "") String seeds)
            throws Exception {
        ShallowComparison.Options d = ShallowComparison.Options.defaults(Path.of(out));
        ShallowComparison.Options o = new ShallowComparison.Options(d.out(), identities > 0 ? identities : d.identities(),
                heldOut > 0 ? heldOut : d.heldOut(), pairs > 0 ? pairs : d.pairsPerFold(), nuisance >= 0 ? nuisance : d.nuisance(),
                epochs > 0 ? epochs : d.epochs(), batch > 0 ? batch : d.batchSize(), lr > 0 ? lr : d.lr(), !step.isEmpty() ? step : d.step(),
                queue > 0 ? queue : d.queueSize(), alpha >= 0 ? alpha : d.alpha(), side > 0 ? side : d.side(),
                seeds.isBlank() ? d.seeds() : seedList(seeds), d.workers());
        new ShallowComparison(registry.get()).run(o, System.out, System.console() != null);
    }

    @Descriptor("FaceX-Zoo's masked-face recipes on synthetic data, the whole masked path: training faces and a MegaFace "
            + "devkit masked with FMA-3D along their landmarks; MobileFaceNet + MV-Softmax trained on (a) full faces, (b) upper "
            + "halves (crop_eye), (c) faces plus masked faces; MegaFace and MegaFace-Mask rank-1 for each and for the "
            + "ensembles (a)+(b) and (c)+(b)")
    public void masked(
            @Descriptor("working folder (data, checkpoints, results)") @Parameter(names = {"-o", "--out"}, absentValue = "masked") String out,
            @Descriptor("training identities (default 200)") @Parameter(names = {"--identities"}, absentValue = "0") int identities,
            @Descriptor("images per training identity (default 16)") @Parameter(names = {"--images"}, absentValue = "0") int images,
            @Descriptor("probe identities of the MegaFace devkit (default 80)") @Parameter(names = {"--probes"}, absentValue = "0") int probes,
            @Descriptor("images per probe identity (default 5)") @Parameter(names = {"--probe_images"}, absentValue = "0") int probeImages,
            @Descriptor("MegaFace distractors (default 1000)") @Parameter(names = {"--distractors"}, absentValue = "0") int distractors,
            @Descriptor("epochs (default 5)") @Parameter(names = {"--epoches"}, absentValue = "0") int epochs,
            @Descriptor("learning rate (default 0.01)") @Parameter(names = {"--lr"}, absentValue = "0") double lr,
            @Descriptor("epochs after which lr drops tenfold (default: before the last epoch)") @Parameter(names = {"--step"}, absentValue = "") String step,
            @Descriptor("batch size (default 32)") @Parameter(names = {"--batch_size"}, absentValue = "0") int batch,
            @Descriptor("strength of pose, lighting, occlusion and noise (default 0.6)") @Parameter(names = {"--nuisance"}, absentValue = "-1") double nuisance,
            @Descriptor("seed of the faces, the masks, the initialisation and the data order (default 0)") @Parameter(names = {"--seed"}, absentValue = "0") long seed)
            throws Exception {
        MaskedComparison.Options d = MaskedComparison.Options.defaults(Path.of(out));
        int e = epochs > 0 ? epochs : d.epochs();
        MaskedComparison.Options o = new MaskedComparison.Options(d.out(), identities > 0 ? identities : d.identities(),
                images > 0 ? images : d.images(), probes > 0 ? probes : d.probes(), probeImages > 0 ? probeImages : d.probeImages(),
                distractors > 0 ? distractors : d.distractors(), nuisance >= 0 ? nuisance : d.nuisance(), e,
                batch > 0 ? batch : d.batchSize(), lr > 0 ? lr : d.lr(), !step.isEmpty() ? step : Integer.toString(Math.max(1, e - 1)),
                seed, d.workers());
        new MaskedComparison(registry.get()).run(o, System.out, System.console() != null);
    }

    private static java.util.List<Long> seedList(String seeds) {
        java.util.List<Long> list = new java.util.ArrayList<>();
        for (String s : seeds.split(",")) {
            try {
                list.add(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seeds: '" + s.trim() + "' is not an integer (expected e.g. 0,1,2)");
            }
        }
        return list;
    }
}
