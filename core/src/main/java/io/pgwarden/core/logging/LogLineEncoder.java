package io.pgwarden.core.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * pgwarden's Logback encoder: each event as one line, in text (the {@code pattern}) or as {@link JsonLine JSON},
 * as the {@code format} property says ({@code pgwarden.log.format}, from {@code PGWARDEN_LOG_FORMAT}). The
 * command line's {@code --log-format} switches it through {@link ProxyLogging#use(LogFormat)}. An unknown
 * format name is reported in Logback's status and leaves text.
 */
public final class LogLineEncoder extends EncoderBase<ILoggingEvent> {

    private final PatternLayout text = new PatternLayout();
    private volatile LogFormat format = LogFormat.TEXT;

    /**
     * The text format's Logback pattern.
     *
     * @param pattern the pattern
     */
    public void setPattern(String pattern) {
        text.setPattern(pattern);
    }

    /**
     * The format by name, as Logback's configuration gives it.
     *
     * @param name {@code text} or {@code json}
     */
    public void setFormat(String name) {
        LogFormat.named(name).ifPresentOrElse(this::use,
                () -> addError("unknown log format '" + name + "'; expected text or json; writing text"));
    }

    /**
     * Switches the format; lines already encoded keep theirs.
     *
     * @param next the format from now on
     */
    public void use(LogFormat next) {
        format = Objects.requireNonNull(next, "next");
    }

    /**
     * The format lines are written in now.
     *
     * @return the format
     */
    public LogFormat format() {
        return format;
    }

    @Override
    public void start() {
        text.setContext(getContext());
        text.start();
        super.start();
    }

    @Override
    public void stop() {
        text.stop();
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String line = format == LogFormat.JSON ? JsonLine.render(event) : text.doLayout(event);
        return line.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
