package io.pgwarden.core.config;

import io.pgwarden.spi.PluginConfig;
import java.util.Objects;

/**
 * One entry of the interceptor chain ({@code plugins[i]:}).
 *
 * @param type the plugin type, matched against {@code InterceptorFactory.type()}
 * @param config the entry's other keys
 */
public record PluginEntry(String type, PluginConfig config) {

    /** Checks for null. */
    public PluginEntry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(config, "config");
    }
}
