package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.pool.PoolKey;
import io.pgwarden.core.pool.PoolTraffic;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SHOW STATS: one row per backend database, summing its pools, times in microseconds. */
class ConsoleStatsTest {

    @Test
    void sumsThePoolsOfADatabase() {
        PoolTraffic alice = new PoolTraffic();
        alice.query(3_000_000);
        alice.transaction(5_000_000);
        alice.query(1_000_000);
        PoolTraffic bob = new PoolTraffic();
        bob.query(2_000_000);
        bob.transaction(2_000_000);
        PoolTraffic reports = new PoolTraffic();
        Map<PoolKey, PoolTraffic> traffic = new LinkedHashMap<>();
        traffic.put(key("app", "alice"), alice);
        traffic.put(key("app", "bob"), bob);
        traffic.put(key("reports", "alice"), reports);

        ConsoleTable table = ConsoleStats.table(traffic);
        assertThat(table.columns()).startsWith("database", "total_xact_count", "total_query_count", "total_xact_time",
                "total_query_time", "total_wait_time", "avg_xact_time", "avg_query_time");
        assertThat(table.rows()).containsExactly(
                List.of("app", "2", "3", "7000", "6000", "0", "3500", "2000", "primary"),
                List.of("reports", "0", "0", "0", "0", "0", "0", "0", "primary"));
    }

    private static PoolKey key(String database, String user) {
        return PoolKey.of(new BackendLogin("primary", database, user, Credential.none(), Map.of(), List.of()), false);
    }
}
