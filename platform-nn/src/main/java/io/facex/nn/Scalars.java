package io.facex.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Constants as tensors that libtorch owns, for arithmetic inside a training graph. DJL's
 * {@code mul(Number)}, {@code div(Number)}, {@code pow(Number)}, {@code maximum(Number)} and
 * {@code minimum(Number)} wrap the number in a tensor over a Java direct buffer and close it after the op;
 * autograd keeps that tensor for the backward pass, and once the garbage collector frees the buffer the
 * gradient is computed from whatever the memory then holds (wrong values, or NaN now and then). Write
 * {@code x.mul(Scalars.of(s))} instead: the scalar is made by {@code torch.full} and kept for the
 * process. {@code add}/{@code sub} with a number are safe (their backward does not read it).
 */
public final class Scalars {

    private static final NDManager MANAGER = NDManager.newBaseManager();
    private static final ConcurrentHashMap<Float, NDArray> CACHE = new ConcurrentHashMap<>();

    private Scalars() {
    }

    /** A float32 scalar tensor of {@code value} in libtorch's own memory. */
    public static NDArray of(double value) {
        return CACHE.computeIfAbsent((float) value, v -> MANAGER.full(new Shape(), v, DataType.FLOAT32));
    }
}
