package io.pgwarden.plugin.protocollog;

import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code protocol-log} plugin type: logs every protocol message of every session.
 *
 * <pre>
 * plugins:
 *   - type: protocol-log
 *     max_query_length: 1000   # longer SQL text is cut and ends with …
 *     level: INFO              # TRACE, DEBUG, INFO, WARNING or ERROR
 * </pre>
 */
public final class ProtocolLogFactory implements InterceptorFactory {

    /** The type name in the YAML chain. */
    public static final String TYPE = "protocol-log";

    static final int DEFAULT_MAX_QUERY_LENGTH = 1000;
    private static final Set<String> KEYS = Set.of("max_query_length", "level");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        for (String key : config.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(config.pathOf(key), "unknown setting; protocol-log knows max_query_length and level");
            }
        }
        int maxQueryLength = config.integer("max_query_length", DEFAULT_MAX_QUERY_LENGTH);
        if (maxQueryLength < 1) {
            throw new PluginConfigException(config.pathOf("max_query_length"), "must be at least 1, found " + maxQueryLength);
        }
        System.Logger.Level level = level(config);
        return new ProtocolLogInterceptor(services.logger(), level, new MessageDescriber(maxQueryLength));
    }

    private static System.Logger.Level level(PluginConfig config) {
        String text = config.string("level", "INFO").trim().toUpperCase(Locale.ROOT);
        return switch (text) {
            case "TRACE" -> System.Logger.Level.TRACE;
            case "DEBUG" -> System.Logger.Level.DEBUG;
            case "INFO" -> System.Logger.Level.INFO;
            case "WARN", "WARNING" -> System.Logger.Level.WARNING;
            case "ERROR" -> System.Logger.Level.ERROR;
            default -> throw new PluginConfigException(config.pathOf("level"),
                    "expected TRACE, DEBUG, INFO, WARNING or ERROR, found '" + config.string("level", "") + "'");
        };
    }
}
