package io.pgwarden.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgwarden.core.pool.PoolStats;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The core's gauges read the counts at scrape time; the counters count per login and cancel. */
class ProxyMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicReference<List<PoolStats>> pools = new AtomicReference<>(List.of());
    private final ProxyMeters meters = ProxyMeters.register(registry, admitted::get, ready::get, pools::get);

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
    void authResultsAreCountedByMethodAndResult() {
        meters.authResult("scram-sha-256", "success");
        meters.authResult("scram-sha-256", "success");
        meters.authResult("scram-sha-256", "failure");
        meters.authResult("none", "no_rule");

        assertThat(registry.get("pgwarden.auth.results").tags("method", "scram-sha-256", "result", "success").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("pgwarden.auth.results").tags("method", "scram-sha-256", "result", "failure").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("pgwarden.auth.results").tags("method", "none", "result", "no_rule").counter().count()).isEqualTo(1);
    }

    @Test
    void cancelRequestsAreCounted() {
        assertThat(registry.get("pgwarden.cancel.requests").counter().count()).isZero();

        meters.cancelRequested();

        assertThat(registry.get("pgwarden.cancel.requests").counter().count()).isEqualTo(1);
    }
}
