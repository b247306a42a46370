/**
 * Safe import of model weights: PyTorch {@code torch.save} checkpoints (read with a restricted unpickler
 * that only rebuilds tensors and dicts), NumPy {@code .npz}/{@code .npy} and safetensors files, plus
 * copying a {@link io.facex.weights.StateDict} into a DJL block with name-by-name mismatch reports.
 * The format is chosen from the file's content, never from its extension.
 */
@Version("1.0.0")
@Export
package io.facex.weights;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
