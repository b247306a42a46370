/**
 * A procedural face data set for tests and demonstrations: identities drawn from random face
 * geometry and appearance, images varied by pose, expression, lighting, background, blur, noise and
 * occlusion, written as a FaceX-Zoo training list plus an LFW-format verification set.
 */
@Version("1.0.0")
@Export
package io.facex.tools.synthetic;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
