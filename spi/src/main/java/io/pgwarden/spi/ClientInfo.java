package io.pgwarden.spi;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Facts about a client connection.
 *
 * @param address the client's address and port
 * @param tls the TLS facts, or {@code null} when the connection is plain
 */
public record ClientInfo(InetSocketAddress address, TlsInfo tls) {

    /** Checks for null. */
    public ClientInfo {
        Objects.requireNonNull(address, "address");
    }

    /**
     * The TLS facts when the client uses TLS.
     *
     * @return the TLS facts
     */
    public Optional<TlsInfo> tlsInfo() {
        return Optional.ofNullable(tls);
    }
}
