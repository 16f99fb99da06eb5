package io.pgwarden.core.cli;

import io.pgwarden.core.logging.LogFormat;
import io.pgwarden.core.logging.LogLineEncoder;
import io.pgwarden.core.logging.ProxyLogging;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --log-format text|json} for the commands that run the proxy; without it the format is the one
 * {@code PGWARDEN_LOG_FORMAT} chose (text by default).
 */
final class LogFormatOption {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--log-format", paramLabel = "FORMAT", converter = Converter.class,
            description = "log lines as text (default, or PGWARDEN_LOG_FORMAT) or json: one JSON object per line")
    private LogFormat format;

    /**
     * Switches pgwarden's log lines to the format given on the command line, if one was; says so on standard error
     * when the logging configuration in use (the user's own) has no line that the option could switch.
     */
    void apply() {
        if (format != null && ProxyLogging.use(format) == 0) {
            spec.commandLine().getErr().println("pgwarden: --log-format " + format.optionName()
                    + " has no effect: the Logback configuration in use has no " + LogLineEncoder.class.getName());
            spec.commandLine().getErr().flush();
        }
    }

    /** Reads {@code text} or {@code json}; anything else is a usage error. */
    static final class Converter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            return LogFormat.named(value).orElseThrow(() ->
                    new CommandLine.TypeConversionException("expected text or json, found '" + value + "'"));
        }
    }
}
