package io.pgwarden.core.session;

import io.pgwarden.core.pool.PoolKey;
import io.pgwarden.core.pool.PoolTraffic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code SHOW STATS}: one row per database of a backend, the sum over its pools, since the proxy
 * started. Times are in microseconds, as in PgBouncer; the averages are over that whole time, not
 * over PgBouncer's last stats period. Byte counts are in {@code /metrics}, not here.
 */
final class ConsoleStats {

    private static final List<String> COLUMNS = List.of("database", "total_xact_count", "total_query_count", "total_xact_time",
            "total_query_time", "total_wait_time", "avg_xact_time", "avg_query_time", "backend");

    private ConsoleStats() {
    }

    /**
     * The table of the pools' counters.
     *
     * @param traffic the counters by pool
     * @return the table
     */
    static ConsoleTable table(Map<PoolKey, PoolTraffic> traffic) {
        Map<List<String>, PoolTraffic.Totals> byDatabase = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        traffic.forEach((key, counters) -> byDatabase.merge(List.of(key.backend(), key.database()), counters.totals(),
                PoolTraffic.Totals::plus));
        List<List<String>> rows = new ArrayList<>();
        byDatabase.forEach((name, totals) -> rows.add(List.of(name.get(1), Long.toString(totals.transactions()),
                Long.toString(totals.queries()), micros(totals.transactionNanos()), micros(totals.queryNanos()),
                micros(totals.waitNanos()), average(totals.transactionNanos(), totals.transactions()),
                average(totals.queryNanos(), totals.queries()), name.get(0))));
        return new ConsoleTable(COLUMNS, rows);
    }

    private static String micros(long nanos) {
        return Long.toString(nanos / 1000);
    }

    private static String average(long nanos, long count) {
        return count == 0 ? "0" : Long.toString(nanos / count / 1000);
    }
}
