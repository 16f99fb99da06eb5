package io.pgwarden.core.frontend;

import io.netty.channel.Channel;
import io.pgwarden.core.protocol.frontend.CancelRequest;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import io.pgwarden.spi.TlsInfo;

/**
 * Where the handshake hands a connection on once it knows what the client wants.
 */
public interface ClientAcceptor {

    /**
     * Whether a new client may connect (connection limit, shutdown). When it returns a refusal,
     * the handshake sends it as FATAL and closes.
     *
     * @return null to admit, or the refusal
     */
    Refusal admit();

    /**
     * A connection {@link #admit()} refused, after the refusal was sent: lets the proxy report it.
     *
     * @param channel the refused connection
     * @param refusal what it was told
     */
    default void refused(Channel channel, Refusal refusal) {
    }

    /**
     * Gives back the slot {@link #admit()} reserved, for a connection that ends before
     * {@link #start} (cancel requests, handshake failures).
     */
    void leave();

    /**
     * Routes a CancelRequest; the handshake closes the connection afterwards.
     *
     * @param request the request
     */
    void cancel(CancelRequest request);

    /**
     * Starts a session for a client that sent its StartupMessage. From here the session owns the
     * channel and the admission slot.
     *
     * @param channel the client channel; the handshake handlers are gone, autoRead is on
     * @param startup the startup message
     * @param tls the TLS facts, or null for plaintext
     * @param channelBinding the tls-server-end-point data of the proxy's certificate, or null
     */
    void start(Channel channel, StartupMessage startup, TlsInfo tls, byte[] channelBinding);

    /**
     * Why a client may not connect.
     *
     * @param sqlState the SQLSTATE
     * @param message the message
     */
    record Refusal(String sqlState, String message) {
    }
}
