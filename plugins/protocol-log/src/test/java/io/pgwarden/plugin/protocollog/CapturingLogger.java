package io.pgwarden.plugin.protocollog;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps what it is given, enabled from a chosen level up. */
final class CapturingLogger implements System.Logger {

    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<Level> levels = new CopyOnWriteArrayList<>();
    private final Level threshold;

    CapturingLogger(Level threshold) {
        this.threshold = threshold;
    }

    @Override
    public String getName() {
        return "capture";
    }

    @Override
    public boolean isLoggable(Level level) {
        return level != Level.OFF && level.getSeverity() >= threshold.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (isLoggable(level)) {
            lines.add(message);
            levels.add(level);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            lines.add(params == null || params.length == 0 ? format : MessageFormat.format(format, params));
            levels.add(level);
        }
    }
}
