package io.pgwarden.plugin.protocollog;

import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.MessageContext;
import java.util.Objects;

/**
 * Logs one line per protocol message, prefixed with the session id. Overrides {@link #onMessage}
 * only, so the core decodes nothing else on its account; when its level is off it returns at once.
 */
final class ProtocolLogInterceptor implements Interceptor {

    private final System.Logger logger;
    private final System.Logger.Level level;
    private final MessageDescriber describer;

    ProtocolLogInterceptor(System.Logger logger, System.Logger.Level level, MessageDescriber describer) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.level = Objects.requireNonNull(level, "level");
        this.describer = Objects.requireNonNull(describer, "describer");
    }

    @Override
    public void onMessage(MessageContext context) {
        if (!logger.isLoggable(level)) {
            return;
        }
        String line = describer.describe(context.direction(), context.type(), context.payload());
        logger.log(level, "session=" + context.session().sessionId() + " " + line);
    }
}
