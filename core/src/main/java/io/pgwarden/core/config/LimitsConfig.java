package io.pgwarden.core.config;

import java.time.Duration;

/**
 * Protocol and connection limits ({@code limits:}).
 *
 * @param maxMessageSize the largest message the proxy buffers whole, in bytes; default 64 MiB.
 *                       Larger messages that nobody inspects stream through; a larger message that must be
 *                       inspected ends the session with 08P01.
 * @param maxStartupPacketSize the largest startup packet, in bytes; default 10000 (PostgreSQL's limit)
 * @param maxClientConnections the most client connections at once; default 1000
 * @param authTimeout how long a client may take to finish startup and authentication; default 60s
 * @param shutdownTimeout how long a graceful shutdown waits for sessions; default 30s
 */
public record LimitsConfig(int maxMessageSize, int maxStartupPacketSize, int maxClientConnections,
                           Duration authTimeout, Duration shutdownTimeout) {

    /** The defaults. */
    public static final LimitsConfig DEFAULTS =
            new LimitsConfig(64 * 1024 * 1024, 10_000, 1000, Duration.ofSeconds(60), Duration.ofSeconds(30));
}
