package io.pgwarden.core.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletionStage;

/**
 * Answers a backend's Authentication requests for one connection attempt; an instance holds the
 * state of a multi-step exchange (SCRAM), so it serves one connection only.
 * {@link CredentialResponder} answers from an SPI {@code Credential}.
 */
public interface BackendAuthResponder {

    /**
     * Answers one request. The stage may complete on any thread; the connector writes the answer on
     * the connection's event loop. Long work (password hashing) must not run on the calling thread,
     * which is that event loop.
     *
     * @param request the server's request
     * @param allocator where to allocate the answer
     * @return the whole message to send (type byte, length, body), which the connector then owns;
     *     null for {@link AuthRequest.SaslFinal}, where there is nothing to send. A failed stage
     *     (ideally with a {@link BackendException}) ends the connection attempt.
     */
    CompletionStage<ByteBuf> answer(AuthRequest request, ByteBufAllocator allocator);
}
