package io.facex.weights;

import io.facex.weights.RestrictedUnpickler.Storage;

import java.util.Map;

/**
 * A tensor whose storage bytes come later in the file: the legacy {@code torch.save} format writes the
 * object pickle first and the raw storages after it, so a view is recorded while unpickling and cut out
 * of its storage once the storages have been read ({@link #resolve}).
 */
final class DeferredTensor {

    private final Storage storage;
    private final long offset;
    private final long[] size;
    private final long[] stride;
    private Tensor tensor;

    DeferredTensor(Storage storage, long offset, long[] size, long[] stride) {
        this.storage = storage;
        this.offset = offset;
        this.size = size;
        this.stride = stride;
    }

    String storageKey() {
        return storage.key();
    }

    /**
     * @param bytes the storages' little-endian bytes by key
     * @throws IllegalArgumentException if the view reaches outside its storage
     */
    void resolve(Map<String, byte[]> bytes) {
        byte[] data = bytes.get(storage.key());
        if (data == null) {
            throw new IllegalStateException("storage " + storage.key() + " was not read");
        }
        byte[] gathered = Strided.gather(data, storage.dtype().byteSize(), offset, size, stride,
                "tensor on storage " + storage.key());
        tensor = Tensor.wrap(storage.dtype(), size, gathered);
    }

    Tensor get() {
        if (tensor == null) {
            throw new IllegalStateException("tensor on storage " + storage.key() + " used before its storage was read");
        }
        return tensor;
    }

    /** The tensor {@code value} stands for (a plain or a resolved deferred one), or null if it is no tensor. */
    static Tensor tensorOf(Object value) {
        if (value instanceof Tensor t) {
            return t;
        }
        return value instanceof DeferredTensor d ? d.get() : null;
    }
}
