package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * FaceX-Zoo's class-matrix initialisation for margin heads:
 * {@code weight.uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5)}. The weight is (featDim, numClass);
 * renorm over dim 1 caps each column's norm at 1e-5 (scaling by 1e-5/(‖col‖+1e-7)), so after ×1e5 every
 * class vector has norm ≈ 1.
 */
public final class RenormInitializer implements Initializer {

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        // The intermediates die here: in the model's manager they would outlive the job (a million-class
        // matrix is 2 GB per copy).
        try (NDManager tmp = manager.newSubManager()) {
            NDArray w = tmp.randomUniform(-1f, 1f, shape, dataType);
            NDArray norm = w.norm(new int[] {0}, true);
            NDArray over = norm.gt(1e-5f).toType(dataType, false);
            // mask·(1e-5/(‖col‖+1e-7)) + (1 − mask), not mask·(… − 1) + 1: that form cancels catastrophically in float32
            NDArray scale = over.mul(norm.add(1e-7f).pow(-1).mul(1e-5f)).add(over.neg().add(1f));
            NDArray out = w.mul(scale).muli(1e5f);
            out.attach(manager);
            return out;
        }
    }
}
