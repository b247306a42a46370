/**
 * Training data for FaceX-J: FaceX-Zoo's training lists ({@link io.facex.data.TrainList}), OpenCV image
 * decoding and augmentation ({@link io.facex.data.ImageOps}, {@link io.facex.data.ImagePipeline},
 * {@link io.facex.api.Augmentation}) and a deterministic multi-threaded prefetching batch loader
 * ({@link io.facex.data.BatchLoader}). Images are checked before decoding ({@link io.facex.data.ImageHeader}):
 * a truncated or corrupt file, or one whose header claims more pixels than a limit, is refused.
 */
@Version("1.1.0")
@Export
package io.facex.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
