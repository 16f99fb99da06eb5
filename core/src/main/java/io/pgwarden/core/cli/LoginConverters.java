package io.pgwarden.core.cli;

import io.pgwarden.core.login.LoginException;
import io.pgwarden.core.login.LoginProfile;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Picocli converters of the login commands' options; a wrong value is a usage error naming the option. */
final class LoginConverters {

    private LoginConverters() {
    }

    /** {@code --issuer}: an https URL (http only to loopback, checked at discovery). */
    static final class Issuer implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            return wrap(() -> LoginProfile.parseIssuer("--issuer", value));
        }
    }

    /** {@code --port}: 1-65535. */
    static final class Port implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return wrap(() -> LoginProfile.parsePort("--port", value));
        }
    }

    /** {@code --sslmode}: one of libpq's modes. */
    static final class Sslmode implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return wrap(() -> LoginProfile.parseSslmode("--sslmode", value));
        }
    }

    /** {@code --min-validity}: whole seconds, 0 to one day. */
    static final class Seconds implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                long seconds = Long.parseLong(value.trim());
                if (seconds >= 0 && seconds <= Duration.ofDays(1).toSeconds()) {
                    return Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException e) {
                // reported below with the value as written
            }
            throw new CommandLine.TypeConversionException("expected seconds 0-86400, found '" + value + "'");
        }
    }

    private static <T> T wrap(Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (LoginException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
