/** YAML and JSON configuration bound strictly to plugin configuration records. */
@Version("1.1.0")
package io.facex.core.config;

import org.osgi.annotation.versioning.Version;
