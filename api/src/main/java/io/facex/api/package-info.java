/**
 * The contracts plugins implement: {@link io.facex.api.Backbone}, {@link io.facex.api.Head},
 * {@link io.facex.api.TrainingMode}, {@link io.facex.api.TestProtocol}, {@link io.facex.api.Cropper},
 * {@link io.facex.api.Benchmark}.
 * Semantically versioned: third parties compile against it.
 */
@Version("2.4.0")
@Export
package io.facex.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
