/**
 * The face SDK's contracts: detect, locate landmarks, (crop with {@link io.facex.api.Cropper}), embed.
 */
@Version("1.0.0")
@Export
package io.facex.api.sdk;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
