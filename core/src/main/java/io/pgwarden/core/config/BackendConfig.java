package io.pgwarden.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * One PostgreSQL server ({@code backends.NAME:}).
 *
 * @param name the name the rules and plugins use
 * @param host the host name or address
 * @param port the port, default 5432
 * @param tls TLS towards the server
 * @param connectTimeout how long a connection and its login may take, default 10s
 */
public record BackendConfig(String name, String host, int port, BackendTlsConfig tls, Duration connectTimeout) {

    /** Checks for null. */
    public BackendConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }
}
