/**
 * What the verification benchmarks share: the official pair-list formats, FaceX-Zoo's exact 10-fold
 * accuracy, TAR at fixed FARs and ROC curves, and writers of synthetic lists in each format.
 */
@org.osgi.annotation.versioning.Version("2.0.0")
package io.facex.protocol.verification;
