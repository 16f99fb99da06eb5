package io.pgwarden.core.session;

import io.netty.channel.EventLoop;
import io.pgwarden.core.pool.PoolRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console's commands that act on pools and sessions: {@code PAUSE}, {@code RESUME} and
 * {@code KILL}, with PgBouncer's meaning. A database is the database of the pools (the one
 * {@code SHOW POOLS} lists); one the proxy does not know gets 3D000.
 */
final class ConsoleControl {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleControl.class);
    /** How often a PAUSE looks whether the servers are all back. */
    private static final long DRAIN_CHECK_MILLIS = 20;

    private final ProxyRuntime runtime;
    private final EventLoop loop;
    private final BooleanSupplier consoleOpen;

    /**
     * @param runtime the proxy's runtime
     * @param loop the console session's event loop
     * @param consoleOpen whether the admin is still connected (a PAUSE stops waiting when not)
     */
    ConsoleControl(ProxyRuntime runtime, EventLoop loop, BooleanSupplier consoleOpen) {
        this.runtime = runtime;
        this.loop = loop;
        this.consoleOpen = consoleOpen;
    }

    /**
     * {@code PAUSE [db]}: sessions that need a server wait from now on; the reply comes once every
     * server of the database (or of all) is back in its pool, after the transactions running now
     * ended, and the idle servers are closed.
     *
     * @param database the database, or null for all
     * @return the reply
     */
    CompletionStage<ConsoleReply> pause(String database) {
        ConsoleReply unknown = unknown(database);
        if (unknown != null) {
            return CompletableFuture.completedFuture(unknown);
        }
        PoolRegistry pools = runtime.pools();
        pools.pause(database);
        LOG.info("paused {}; waiting for its server connections to be released", describe(database));
        CompletableFuture<ConsoleReply> reply = new CompletableFuture<>();
        awaitDrained(database, reply);
        return reply;
    }

    private void awaitDrained(String database, CompletableFuture<ConsoleReply> reply) {
        if (runtime.pools().drained(database)) {
            runtime.pools().closeIdle(database);
            LOG.info("pause of {} complete: no server connection is in use", describe(database));
            reply.complete(ConsoleReply.done("PAUSE"));
        } else if (consoleOpen.getAsBoolean()) {
            loop.schedule(() -> awaitDrained(database, reply), DRAIN_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * {@code RESUME [db]}: the sessions waiting because of a pause get their servers.
     *
     * @param database the database, or null for all
     * @return the reply
     */
    ConsoleReply resume(String database) {
        ConsoleReply unknown = unknown(database);
        if (unknown != null) {
            return unknown;
        }
        if (!runtime.pools().resume(database)) {
            return ConsoleReply.error("55000", describe(database) + " is not paused");
        }
        LOG.info("resumed {}", describe(database));
        return ConsoleReply.done("RESUME");
    }

    /**
     * {@code KILL db}: ends every client session of the database now (57P01, as when the proxy shuts
     * down) and closes its server connections; new sessions may connect at once unless it is paused.
     *
     * @param database the database
     * @return the reply
     */
    ConsoleReply kill(String database) {
        ConsoleReply unknown = unknown(database);
        if (unknown != null) {
            return unknown;
        }
        runtime.pools().retire(database);
        int killed = 0;
        for (ClientSession session : runtime.sessions().sessions()) {
            ServerAttachment attachment = session.attachment();
            if (attachment != null && attachment.poolKey().database().equals(database)) {
                session.kill();
                killed++;
            }
        }
        LOG.info("killed database {}: {} client session(s) ended", database, killed);
        return ConsoleReply.done("KILL");
    }

    private ConsoleReply unknown(String database) {
        if (database == null || runtime.pools().knows(database)) {
            return null;
        }
        return ConsoleReply.error("3D000", "database \"" + database + "\" does not exist in pgwarden's pools");
    }

    private static String describe(String database) {
        return database == null ? "all databases" : "database \"" + database + "\"";
    }
}
