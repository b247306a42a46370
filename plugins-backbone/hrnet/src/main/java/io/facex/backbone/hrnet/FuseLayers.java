package io.facex.backbone.hrnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The exchange at the end of an HRNet module ({@code fuse_layers}): output i is
 * {@code relu(Σ_j f_ij(x_j))}, f_ii being the identity. Row i is a {@link ModuleList} of the f_ij, named
 * {@code fuse_layers.i.j} as in the original, which resamples every branch to branch i's resolution and
 * width; the sum runs over j in increasing order, as the original adds.
 */
final class FuseLayers extends AbstractBlock {

    private final ModuleList[] rows;

    FuseLayers(ModuleList... rows) {
        super((byte) 1);
        this.rows = rows.clone();
        for (int i = 0; i < rows.length; i++) {
            addChildBlock(Integer.toString(i), rows[i]);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = new NDList(rows.length);
        for (ModuleList row : rows) {
            NDList terms = row.forward(store, inputs, training, params);
            NDArray sum = terms.get(0);
            for (int j = 1; j < terms.size(); j++) {
                NDArray term = terms.get(j);
                if (Lists.contains(inputs, sum)) {
                    sum = sum.add(term);
                } else {
                    // our own temporary (a BN, upsampling or sum output, none of which backward needs)
                    sum.addi(term);
                }
                if (!Lists.contains(inputs, term)) {
                    term.close();
                }
            }
            out.add(Activation.relu(sum));
            if (!Lists.contains(inputs, sum)) {
                sum.close();
            }
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (ModuleList row : rows) {
            row.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = inputShapes[i];
        }
        return out;
    }
}
