package io.pgwarden.core.plugin;

import java.text.MessageFormat;
import java.util.Objects;
import java.util.ResourceBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link System.Logger} that writes to SLF4J, so plugins log through the proxy's logging
 * without seeing SLF4J. Messages with parameters use {@link MessageFormat} ({@code {0}}), as
 * System.Logger defines.
 */
final class Slf4jSystemLogger implements System.Logger {

    private final Logger logger;

    Slf4jSystemLogger(String name) {
        this.logger = LoggerFactory.getLogger(Objects.requireNonNull(name, "name"));
    }

    @Override
    public String getName() {
        return logger.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return switch (level) {
            case ALL, TRACE -> logger.isTraceEnabled();
            case DEBUG -> logger.isDebugEnabled();
            case INFO -> logger.isInfoEnabled();
            case WARNING -> logger.isWarnEnabled();
            case ERROR -> logger.isErrorEnabled();
            case OFF -> false;
        };
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (isLoggable(level)) {
            write(level, localized(bundle, message), thrown);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            String pattern = localized(bundle, format);
            String text = params == null || params.length == 0 ? pattern : MessageFormat.format(pattern, params);
            write(level, text, null);
        }
    }

    private static String localized(ResourceBundle bundle, String key) {
        if (bundle != null && key != null && bundle.containsKey(key)) {
            return bundle.getString(key);
        }
        return key;
    }

    private void write(Level level, String text, Throwable thrown) {
        switch (level) {
            case ALL, TRACE -> logger.trace(text, thrown);
            case DEBUG -> logger.debug(text, thrown);
            case INFO -> logger.info(text, thrown);
            case WARNING -> logger.warn(text, thrown);
            case ERROR -> logger.error(text, thrown);
            case OFF -> { }
        }
    }
}
