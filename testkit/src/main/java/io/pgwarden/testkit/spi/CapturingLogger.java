package io.pgwarden.testkit.spi;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A plugin's {@code System.Logger} (SPI {@code Services.logger()}) that keeps every line it is given, at every level. */
public final class CapturingLogger implements System.Logger {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    /**
     * What was logged so far, each line {@code LEVEL message}, with the exception when there was one.
     *
     * @return the live list
     */
    public List<String> lines() {
        return lines;
    }

    @Override
    public String getName() {
        return "capture";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        lines.add(level + " " + message + (thrown == null ? "" : " " + thrown));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        lines.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
    }
}
