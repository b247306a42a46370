package io.facex.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps DJL parameter paths to PyTorch state-dict keys. DJL names a child {@code NN<name>} (a two-digit
 * position, then the name given to {@link Sequence#add}) and joins levels with {@code _}; its BatchNorm
 * calls PyTorch's weight/bias/running_mean/running_var gamma/beta/runningMean/runningVar.
 */
public final class TorchNames {

    /**
     * A level: two digits at the start or after {@code _}, then the child's name. A name may itself begin
     * with {@code _} (EfficientNet's {@code _conv_stem}, {@code _blocks}) when a letter follows it; digits
     * between underscores followed by a digit stay part of a name ({@code conv_23_02conv_dw}).
     */
    private static final Pattern LEVEL = Pattern.compile("(?:^|_)(\\d{2})(?=[A-Za-z0-9]|_[A-Za-z])");
    private static final Map<String, String> LEAF = Map.of(
            "gamma", "weight", "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

    private TorchNames() {
    }

    /**
     * A block's parameters under checkpoint keys: {@code prefix} + PyTorch names when they map one to
     * one (as FaceX-Zoo saves them), {@code prefix} + DJL's own paths otherwise.
     */
    public static PairList<String, Parameter> checkpointKeys(String prefix, Block block) {
        PairList<String, Parameter> ps = block.getParameters();
        Set<String> torch = new HashSet<>();
        boolean unique = true;
        for (Pair<String, Parameter> p : ps) {
            unique &= torch.add(toTorch(p.getKey(), p.getValue().getName()));
        }
        PairList<String, Parameter> out = new PairList<>();
        for (Pair<String, Parameter> p : ps) {
            out.add(prefix + (unique ? toTorch(p.getKey(), p.getValue().getName()) : p.getKey()), p.getValue());
        }
        return out;
    }

    /**
     * As {@link #toTorch(String)}, knowing the parameter's own name, which may itself hold {@code _}
     * (SST's {@code label_list}): the path's last level is the name, not its last underscore.
     */
    public static String toTorch(String djlPath, String name) {
        if (djlPath.equals(name)) {
            return LEAF.getOrDefault(name, name);
        }
        if (!djlPath.endsWith("_" + name)) {
            return toTorch(djlPath);
        }
        String parent = LEVEL.matcher(djlPath.substring(0, djlPath.length() - name.length() - 1)).replaceAll(".");
        if (parent.startsWith(".")) {
            parent = parent.substring(1);
        }
        String leaf = LEAF.getOrDefault(name, name);
        return parent.isEmpty() ? leaf : parent + "." + leaf;
    }

    /**
     * The state-dict key of a DJL parameter path, for blocks built from {@link Sequence} children
     * named after the PyTorch attributes, e.g. {@code 01conv1_02bn_gamma} → {@code conv1.bn.weight}.
     */
    public static String toTorch(String djlPath) {
        String dotted = LEVEL.matcher(djlPath).replaceAll(".");
        if (dotted.startsWith(".")) {
            dotted = dotted.substring(1);
        }
        int leafAt = dotted.lastIndexOf('_');
        String parent = leafAt < 0 ? "" : dotted.substring(0, leafAt);
        String leaf = leafAt < 0 ? dotted : dotted.substring(leafAt + 1);
        leaf = LEAF.getOrDefault(leaf, leaf);
        return parent.isEmpty() ? leaf : parent + "." + leaf;
    }
}
