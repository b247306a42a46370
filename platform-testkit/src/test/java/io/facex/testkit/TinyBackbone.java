package io.facex.testkit;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import io.facex.api.AbstractPlugin;
import io.facex.api.Backbone;
import io.facex.api.InvalidConfigException;

/** A backbone of DJL's own blocks (conv, BatchNorm, linear) on 16×16 faces, to test the kit with. */
public class TinyBackbone extends AbstractPlugin<TinyBackbone.Config> implements Backbone<TinyBackbone.Config> {

    public record Config(int featDim, boolean norm) {
    }

    public TinyBackbone() {
        super("TinyBackbone", "the contract kit's own test backbone", Config.class, new Config(8, true));
    }

    @Override
    public void validate(Config c) {
        if (c.featDim() < 1) {
            throw new InvalidConfigException("feat_dim", "must be positive, got " + c.featDim());
        }
    }

    @Override
    public int featureDim(Config c) {
        return c.featDim();
    }

    @Override
    public Shape inputShape(Config c) {
        return new Shape(3, 16, 16);
    }

    @Override
    public Block build(Config c) {
        SequentialBlock b = new SequentialBlock()
                .add(Conv2d.builder().setFilters(4).setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2)).build());
        if (c.norm()) {
            b.add(BatchNorm.builder().build());
        }
        return b.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(c.featDim()).build());
    }
}
