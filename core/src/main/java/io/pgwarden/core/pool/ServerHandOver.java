package io.pgwarden.core.pool;

import io.pgwarden.core.protocol.backend.ErrorResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a server of a {@link ServerPool} to a session that waited for it. A server released on one
 * event loop may go to a waiter of another loop: its channel is then deregistered and registered
 * with the waiter's loop, so that both channels of a session stay on one loop. A server whose move
 * fails is closed and the waiter gets an error.
 */
final class ServerHandOver {

    private static final Logger LOG = LoggerFactory.getLogger(ServerHandOver.class);

    private final PoolKey key;
    private final ServerSlots slots;
    /** The pool's count of lent servers. */
    private final AtomicInteger active;

    ServerHandOver(PoolKey key, ServerSlots slots, AtomicInteger active) {
        this.key = key;
        this.slots = slots;
        this.active = active;
    }

    /** Hands a lent server to a claimed waiter, moving its channel to the waiter's event loop if needed. */
    void handOut(PooledServer server, Waiter waiter) {
        if (waiter.loop() == server.channel().eventLoop()) {
            waiter.deliver(server);
            return;
        }
        server.channel().deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                moveFailed(server, waiter, deregistered.cause());
                return;
            }
            waiter.loop().register(server.channel()).addListener(registered -> {
                if (registered.isSuccess()) {
                    waiter.deliver(server);
                } else {
                    moveFailed(server, waiter, registered.cause());
                }
            });
        });
    }

    private void moveFailed(PooledServer server, Waiter waiter, Throwable cause) {
        LOG.warn("pool {}: moving server connection {} to another event loop failed: {}", key, server, cause.toString());
        server.markDiscarded();
        active.decrementAndGet();
        slots.free();
        server.channel().close();
        waiter.loop().execute(() -> waiter.fail(ErrorResponse.fatal("08006", "could not hand over a server connection")));
    }
}
