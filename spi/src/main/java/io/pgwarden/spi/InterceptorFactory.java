package io.pgwarden.spi;

/**
 * Creates the interceptor of one plugin type. Discovered with {@link java.util.ServiceLoader}:
 * list the implementation in {@code META-INF/services/io.pgwarden.spi.InterceptorFactory}.
 *
 * <p>The factory is a singleton per plugin jar; {@link #create} is called once for each entry of
 * its type in the YAML chain, and again on each configuration reload.
 */
public interface InterceptorFactory {

    /**
     * The type name used in the YAML chain ({@code - type: protocol-log}). Lower case letters,
     * digits and dashes; unique among loaded plugins.
     *
     * @return the type name
     */
    String type();

    /**
     * Creates an interceptor from its YAML section.
     *
     * @param config the plugin's YAML section (everything beside {@code type})
     * @param services what the core offers plugins
     * @return a ready interceptor
     * @throws PluginConfigException when the section is invalid; its path is reported to the user
     * @throws Exception when the plugin cannot start; startup stops and names the plugin
     */
    Interceptor create(PluginConfig config, Services services) throws Exception;
}
