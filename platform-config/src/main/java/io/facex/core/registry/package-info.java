/** Plugins by kind and name, inside the OSGi container or on a plain class path. */
@Version("1.0.0")
package io.facex.core.registry;

import org.osgi.annotation.versioning.Version;
