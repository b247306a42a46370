package com.example.tinynet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;

/**
 * A third-party backbone: a strided 3×3 convolution and a linear layer. Its configuration section is
 * {@code TinyNet: {feat_dim: 128, channels: 8}}.
 */
public final class TinyNet extends AbstractPlugin<TinyNet.Config> implements Backbone<TinyNet.Config> {

    /**
     * @param featDim  embedding size ({@code feat_dim})
     * @param channels filters of the convolution
     */
    public record Config(int featDim, int channels) {
    }

    public TinyNet() {
        super("TinyNet", "an example third-party backbone: a strided conv and a linear layer", Config.class,
                new Config(128, 8));
    }

    @Override
    public void validate(Config c) {
        if (c.featDim() < 1) {
            throw new InvalidConfigException("feat_dim", "must be positive, got " + c.featDim());
        }
        if (c.channels() < 1) {
            throw new InvalidConfigException("channels", "must be positive, got " + c.channels());
        }
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    @Override
    public Block build(Config c) {
        return new SequentialBlock()
                .add(Conv2d.builder().setFilters(c.channels()).setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2)).build())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(c.featDim()).build());
    }
}
