/** Layers with PyTorch semantics shared by FaceX-J's backbones and heads. */
@Version("1.5.0")
package io.facex.nn;

import org.osgi.annotation.versioning.Version;
