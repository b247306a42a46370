package io.facex.core.registry;

/** A job's plugin was uninstalled while the job was using it, and the job could not finish without it. */
public class PluginRemovedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public PluginRemovedException(PluginInfo plugin, Throwable cause) {
        super("plugin " + plugin.name() + " (" + plugin.origin() + " " + plugin.version()
                + ") was removed while in use; the job stopped (" + PluginValidation.describe(cause) + ")", cause);
    }
}
