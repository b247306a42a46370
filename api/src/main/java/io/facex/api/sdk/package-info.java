/**
 * The face SDK's contracts: detect, locate landmarks, (crop with {@link io.facex.api.Cropper}), embed;
 * and, for synthetic masked data sets, {@link io.facex.api.sdk.MaskAdder} (since 1.1).
 */
@Version("1.1.0")
@Export
package io.facex.api.sdk;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
