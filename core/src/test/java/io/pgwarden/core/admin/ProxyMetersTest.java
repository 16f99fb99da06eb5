package io.pgwarden.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgwarden.core.pool.PoolStats;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The core's gauges and byte counts are read at scrape time; the counters count per login and cancel. */
class ProxyMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicReference<List<PoolStats>> pools = new AtomicReference<>(List.of());
    private final ByteCounter clientBytes = new ByteCounter();
    private final ByteCounter serverBytes = new ByteCounter();
    private final ProxyMeters meters = ProxyMeters.register(registry, admitted::get, ready::get, pools::get, clientBytes, serverBytes);

    private double gauge(String name, String state) {
        return registry.get(name).tag("state", state).gauge().value();
    }

    @Test
    void clientAndServerGaugesFollowTheSessionsAndPools() {
        admitted.set(7);
        ready.set(5);
        pools.set(List.of(new PoolStats("primary", "app", "u", null, "transaction", 2, 3, 1, 2, 0),
                new PoolStats("primary", "reports", "r", null, "session", 1, 0, 0, 1, 4)));

        assertThat(gauge("pgwarden.client.connections", "login")).isEqualTo(2);
        assertThat(gauge("pgwarden.client.connections", "waiting")).isEqualTo(3);
        assertThat(gauge("pgwarden.client.connections", "active")).isEqualTo(2);
        assertThat(gauge("pgwarden.server.connections", "active")).isEqualTo(3);
        assertThat(gauge("pgwarden.server.connections", "idle")).isEqualTo(3);
        assertThat(gauge("pgwarden.server.connections", "opening")).isEqualTo(1);

        admitted.set(0);
        ready.set(0);
        pools.set(List.of());

        assertThat(gauge("pgwarden.client.connections", "active")).isZero();
        assertThat(gauge("pgwarden.server.connections", "idle")).isZero();
    }

    @Test
    void authResultsAreCountedByMethodResultAndReason() {
        meters.authResult("scram-sha-256", AuthReason.OK);
        meters.authResult("scram-sha-256", AuthReason.OK);
        meters.authResult("scram-sha-256", AuthReason.BAD_PASSWORD);
        meters.authResult("none", AuthReason.NO_RULE);
        meters.authResult("oidc", AuthReason.REJECTED_BY_PLUGIN);

        assertThat(authResults("scram-sha-256", "success", "ok")).isEqualTo(2);
        assertThat(authResults("scram-sha-256", "failure", "bad_password")).isEqualTo(1);
        assertThat(authResults("none", "no_rule", "no_rule")).isEqualTo(1);
        assertThat(authResults("oidc", "refused", "rejected_by_plugin")).isEqualTo(1);
    }

    private double authResults(String method, String result, String reason) {
        return registry.get("pgwarden.auth.results").tags("method", method, "result", result, "reason", reason).counter().count();
    }

    @Test
    void byteCountersAreReadAtScrapeTimeByDirection() {
        EmbeddedChannel client = new EmbeddedChannel(clientBytes);
        EmbeddedChannel server = new EmbeddedChannel(serverBytes);

        client.writeInbound(Unpooled.wrappedBuffer(new byte[100]));
        client.writeOutbound(Unpooled.wrappedBuffer(new byte[7]));
        server.writeInbound(Unpooled.wrappedBuffer(new byte[3]));
        server.writeOutbound(Unpooled.wrappedBuffer(new byte[40]));

        assertThat(bytes("pgwarden.client.bytes", "received")).isEqualTo(100);
        assertThat(bytes("pgwarden.client.bytes", "sent")).isEqualTo(7);
        assertThat(bytes("pgwarden.server.bytes", "received")).isEqualTo(3);
        assertThat(bytes("pgwarden.server.bytes", "sent")).isEqualTo(40);
        releaseAll(client);
        releaseAll(server);
    }

    private double bytes(String name, String direction) {
        return registry.get(name).tag("direction", direction).functionCounter().count();
    }

    private static void releaseAll(EmbeddedChannel channel) {
        channel.releaseInbound();
        channel.releaseOutbound();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void cancelRequestsAreCounted() {
        assertThat(registry.get("pgwarden.cancel.requests").counter().count()).isZero();

        meters.cancelRequested();

        assertThat(registry.get("pgwarden.cancel.requests").counter().count()).isEqualTo(1);
    }
}
