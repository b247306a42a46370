/** DJL access for bundles (engine pinned to DJL's class loader) and block statistics. */
@Version("1.0.0")
package io.facex.core.nn;

import org.osgi.annotation.versioning.Version;
