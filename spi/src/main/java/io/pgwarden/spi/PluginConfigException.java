package io.pgwarden.spi;

/**
 * A plugin's YAML section is invalid. The proxy reports the message with the YAML path.
 */
public class PluginConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;

    /**
     * Creates the exception.
     *
     * @param path the YAML path of the bad value, e.g. {@code plugins[1].rules[0].column}
     * @param message what is wrong, in words a person understands
     */
    public PluginConfigException(String path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    /**
     * The YAML path of the bad value.
     *
     * @return the path
     */
    public String path() {
        return path;
    }
}
