package io.pgwarden.core.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.pgwarden.core.pool.PoolKey;
import io.pgwarden.core.pool.PooledServer;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code SHOW SERVERS}: one row per server connection that is lent to a session ({@code active}) or
 * idle in its pool ({@code idle}), read on the event loop each server belongs to. Connections being
 * opened or moving between loops are not listed ({@code sv_login} of {@code SHOW POOLS} counts the
 * former). {@code link} is the session id of the client using the server (as in the logs),
 * {@code ptr} an id of the server connection; pgwarden does not time waits per server, so
 * {@code wait} and {@code wait_us} are 0, and {@code close_needed} is 0.
 */
final class ConsoleServers {

    private static final List<String> COLUMNS = List.of("type", "user", "database", "state", "addr", "port", "local_addr",
            "local_port", "connect_time", "request_time", "wait", "wait_us", "close_needed", "ptr", "link", "remote_pid", "tls",
            "application_name", "prepared_statements", "backend");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private ConsoleServers() {
    }

    /**
     * Collects the rows on every loop.
     *
     * @param runtime the proxy's runtime
     * @return the table, once every loop answered
     */
    static CompletionStage<ConsoleTable> table(ProxyRuntime runtime) {
        List<CompletableFuture<List<List<String>>>> parts = new ArrayList<>();
        for (EventLoop loop : runtime.pools().eventLoops()) {
            CompletableFuture<List<List<String>>> part = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    part.complete(rowsOf(runtime, loop));
                } catch (RuntimeException e) {
                    part.completeExceptionally(e);
                }
            });
            parts.add(part);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<List<String>> rows = new ArrayList<>();
            parts.forEach(part -> rows.addAll(part.join()));
            return new ConsoleTable(COLUMNS, rows);
        });
    }

    /** The servers of one loop: those its sessions hold, then its idle ones; runs on the loop. */
    private static List<List<String>> rowsOf(ProxyRuntime runtime, EventLoop loop) {
        List<List<String>> rows = new ArrayList<>();
        for (ClientSession session : runtime.sessions().sessions()) {
            ServerAttachment attachment = session.attachment();
            if (session.loop() == loop && attachment != null && attachment.server() != null) {
                rows.add(row(attachment.server(), "active", session.id()));
            }
        }
        for (PooledServer server : runtime.pools().idleServers(loop)) {
            rows.add(row(server, "idle", ""));
        }
        return rows;
    }

    private static List<String> row(PooledServer server, String state, String link) {
        Channel channel = server.channel();
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        PoolKey key = server.pool().key();
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        String applicationName = server.reported().get("application_name");
        return Arrays.asList("S", key.user(), key.database(), state, address(remote), port(remote), address(local), port(local),
                wallClock(server.createdNanos()), wallClock(server.releasedNanos()), "0", "0", "0",
                Integer.toHexString(System.identityHashCode(server)), link,
                Integer.toString(server.connection().keyData().processId()), tls == null ? "" : tls.engine().getSession().getProtocol(),
                applicationName == null ? "" : applicationName, Integer.toString(server.statementCount()), key.backend());
    }

    private static String address(InetSocketAddress address) {
        return address == null ? null : address.getAddress().getHostAddress();
    }

    private static String port(InetSocketAddress address) {
        return address == null ? null : Integer.toString(address.getPort());
    }

    /** A {@link System#nanoTime()} of the past as a time of day. */
    private static String wallClock(long nanos) {
        return TIME.format(Instant.now().minusNanos(System.nanoTime() - nanos));
    }
}
