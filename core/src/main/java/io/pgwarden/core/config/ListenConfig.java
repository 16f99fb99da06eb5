package io.pgwarden.core.config;

import java.util.Objects;

/**
 * Where clients connect ({@code listen:}).
 *
 * @param host the address to bind, default {@code 127.0.0.1}
 * @param port the port, default {@code 6432}
 * @param tls client-side TLS
 */
public record ListenConfig(String host, int port, ClientTlsConfig tls) {

    /** Checks for null. */
    public ListenConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
    }
}
