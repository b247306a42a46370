package io.facex.backbone.resnet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;

/**
 * FaceX-Zoo's SE-ResNet selectable by its own name: {@link ResNet} with {@code net_mode} fixed to
 * {@code ir_se}, so its section has every key of {@code ResNet:} but that one. The network, its key
 * names, its checks and its numbers are {@link ResNet}'s (IR-SE-152 by default, 71,148,736 parameters).
 */
public final class SEResNet extends AbstractPlugin<SEResNet.Config> implements Backbone<SEResNet.Config> {

    /**
     * The {@code SE-ResNet:} section: {@code ResNet:}'s keys without {@code net_mode}.
     *
     * @param depth     50, 100 or 152
     * @param dropRatio dropout before the output layer's Linear (training only)
     * @param featDim   embedding size
     * @param outH      height of the last feature map (7 for 112×112 faces)
     * @param outW      its width
     */
    public record Config(int depth, double dropRatio, int featDim, int outH, int outW) {

        /** The same network as a {@link ResNet} configuration. */
        public ResNet.Config asResNet() {
            return new ResNet.Config(depth, dropRatio, ResNet.IR_SE, featDim, outH, outW);
        }
    }

    private static final ResNet RESNET = new ResNet();

    public SEResNet() {
        super("SE-ResNet", "SE-ResNet: ResNet with net_mode ir_se (IR-SE units), depth 50, 100 or 152",
                Config.class, new Config(152, 0.4, 512, 7, 7));
    }

    @Override
    public void validate(Config c) {
        RESNET.validate(c.asResNet());
    }

    @Override
    public int featureDim(Config c) {
        return RESNET.featureDim(c.asResNet());
    }

    @Override
    public Shape inputShape(Config c) {
        return RESNET.inputShape(c.asResNet());
    }

    @Override
    public Block build(Config c) {
        return RESNET.build(c.asResNet());
    }
}
