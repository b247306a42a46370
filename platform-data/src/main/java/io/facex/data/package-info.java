/**
 * Training data for FaceX-J: FaceX-Zoo's training lists ({@link io.facex.data.TrainList}), OpenCV image
 * decoding and augmentation ({@link io.facex.data.ImageOps}, {@link io.facex.data.ImagePipeline},
 * {@link io.facex.api.Augmentation}) and a deterministic multi-threaded prefetching batch loader
 * ({@link io.facex.data.BatchLoader}).
 */
@Version("1.0.0")
@Export
package io.facex.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
