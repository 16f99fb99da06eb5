package io.pgwarden.core.plugin;

/**
 * A plugin could not be loaded or started: a chain type that no plugin provides, a duplicate
 * type, a plugin built for another SPI version, an invalid plugin section or a factory that
 * failed. Startup stops; the message names the plugin type, the file it came from and the types
 * that are available.
 */
public final class PluginLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, naming the plugin and its file
     */
    public PluginLoadException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message what went wrong, naming the plugin and its file
     * @param cause the underlying failure
     */
    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
