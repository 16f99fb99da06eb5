package io.pgwarden.core.plugin;

import io.pgwarden.spi.InterceptorFactory;

/**
 * A factory found by {@link java.util.ServiceLoader}, with where it came from.
 *
 * @param type the plugin type it creates
 * @param factory the factory
 * @param loader the loader of its plugin (the context loader for every call into it)
 * @param origin the plugin file, or {@code class path}
 */
record FactorySource(String type, InterceptorFactory factory, ClassLoader loader, String origin) {

    static final String CLASS_PATH = "class path";

    @Override
    public String toString() {
        return type + " (" + origin + ")";
    }
}
