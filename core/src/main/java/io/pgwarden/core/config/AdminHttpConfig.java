package io.pgwarden.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The admin HTTP endpoint ({@code admin.http:}): {@code /health}, {@code /ready} and {@code /metrics}
 * on a port of its own. Off unless {@code listen} is set.
 *
 * @param enabled whether the endpoint runs ({@code admin.http.listen} is set)
 * @param host the address to bind
 * @param port the port (0 picks a free one)
 * @param readyCheckInterval how often {@code /ready}'s backend check runs; default 5s
 */
public record AdminHttpConfig(boolean enabled, String host, int port, Duration readyCheckInterval) {

    /** The default check interval of {@code /ready}. */
    public static final Duration DEFAULT_READY_CHECK_INTERVAL = Duration.ofSeconds(5);

    /** No admin endpoint: the default. */
    public static final AdminHttpConfig DISABLED = new AdminHttpConfig(false, "", 0, DEFAULT_READY_CHECK_INTERVAL);

    /** Checks for null. */
    public AdminHttpConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(readyCheckInterval, "readyCheckInterval");
    }

    /**
     * An enabled endpoint.
     *
     * @param host the address to bind
     * @param port the port
     * @param readyCheckInterval how often the backend check runs
     * @return the config
     */
    public static AdminHttpConfig listening(String host, int port, Duration readyCheckInterval) {
        return new AdminHttpConfig(true, host, port, readyCheckInterval);
    }
}
