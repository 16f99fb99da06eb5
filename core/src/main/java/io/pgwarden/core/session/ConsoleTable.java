package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.pool.PoolKey;
import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.DataRow;
import io.pgwarden.core.protocol.backend.RowDescription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One answer of the admin console: text columns named as in PgBouncer where PgBouncer has the
 * column, and their rows.
 *
 * @param columns the column names
 * @param rows the rows, each as long as {@code columns}; null is SQL NULL
 */
record ConsoleTable(List<String> columns, List<List<String>> rows) implements ConsoleReply {

    private static final int TEXT_OID = 25;
    private static final List<String> POOL_COLUMNS = List.of("database", "user", "cl_active", "cl_waiting", "sv_active", "sv_idle",
            "sv_used", "sv_tested", "sv_login", "maxwait", "maxwait_us", "pool_mode", "backend", "role");
    private static final List<String> CLIENT_COLUMNS = List.of("type", "user", "database", "state", "addr", "port", "local_addr",
            "local_port", "tls", "application_name", "backend");

    /** Checks that every row fits the columns. */
    ConsoleTable {
        columns = List.copyOf(columns);
        rows = rows.stream().map(row -> Collections.unmodifiableList(new ArrayList<>(row))).toList();
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("a row of " + row.size() + " values for " + columns.size() + " columns");
            }
        }
    }

    /**
     * {@code SHOW VERSION}: one column {@code version}, as PgBouncer answers.
     *
     * @param version the core's version
     * @return the table
     */
    static ConsoleTable version(String version) {
        return new ConsoleTable(List.of("version"), List.of(List.of("pgwarden " + version)));
    }

    /**
     * {@code SHOW POOLS}: one row per pool. {@code cl_active} counts the sessions attached to the
     * pool that are not waiting for a server; {@code sv_login} the connections being opened.
     * pgwarden keeps no per-pool wait times (the wait histogram of all pools is in {@code /metrics})
     * and tests no servers: {@code maxwait}, {@code maxwait_us}, {@code sv_used} and {@code sv_tested} are 0.
     *
     * @param pools the pools' snapshots
     * @param sessionsByPool how many ready sessions hold each pool
     * @return the table
     */
    static ConsoleTable pools(List<PoolStats> pools, Map<PoolKeyName, Long> sessionsByPool) {
        List<List<String>> rows = new ArrayList<>();
        for (PoolStats pool : pools) {
            long sessions = sessionsByPool.getOrDefault(PoolKeyName.of(pool), 0L);
            long active = Math.max(0, sessions - pool.waiting());
            rows.add(Arrays.asList(pool.database(), pool.user(), Long.toString(active), Integer.toString(pool.waiting()),
                    Integer.toString(pool.active()), Integer.toString(pool.idle()), "0", "0", Integer.toString(pool.opening()), "0", "0",
                    pool.mode(), pool.backend(), pool.role()));
        }
        return new ConsoleTable(POOL_COLUMNS, rows);
    }

    /**
     * {@code SHOW CLIENTS}: one row per session that completed authentication, console sessions included;
     * each is {@code active} (attached to a pool or the console).
     *
     * @param clients the clients
     * @return the table
     */
    static ConsoleTable clients(Collection<Client> clients) {
        List<List<String>> rows = new ArrayList<>();
        for (Client client : clients) {
            rows.add(Arrays.asList("C", client.user(), client.database(), "active", client.address(),
                    Integer.toString(client.port()), client.localAddress(), Integer.toString(client.localPort()), client.tls(),
                    client.applicationName() == null ? "" : client.applicationName(), client.backend()));
        }
        return new ConsoleTable(CLIENT_COLUMNS, rows);
    }

    /**
     * Writes RowDescription, the DataRows and CommandComplete {@code SHOW}.
     *
     * @param out the buffer to append to
     */
    @Override
    public void encode(ByteBuf out) {
        new RowDescription(columns.stream().map(name -> RowDescription.Field.text(name, TEXT_OID, (short) -1)).toList()).encode(out);
        for (List<String> row : rows) {
            List<byte[]> values = new ArrayList<>(row.size());
            for (String value : row) {
                values.add(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
            }
            new DataRow(values).encode(out);
        }
        new CommandComplete("SHOW").encode(out);
    }

    /**
     * What identifies a pool in {@code SHOW POOLS}.
     *
     * @param backend the backend name
     * @param database the database
     * @param user the database user
     * @param role the start role or null
     */
    record PoolKeyName(String backend, String database, String user, String role) {

        /**
         * The name of a pool's snapshot.
         *
         * @param stats the snapshot
         * @return the name
         */
        static PoolKeyName of(PoolStats stats) {
            return new PoolKeyName(stats.backend(), stats.database(), stats.user(), stats.role());
        }

        /**
         * The name of a pool's key.
         *
         * @param key the key
         * @return the name
         */
        static PoolKeyName of(PoolKey key) {
            return new PoolKeyName(key.backend(), key.database(), key.user(), key.role());
        }
    }

    /**
     * One client as {@code SHOW CLIENTS} shows it.
     *
     * @param user the startup user
     * @param database the startup database
     * @param address the client's address
     * @param port the client's port
     * @param localAddress the proxy's address of the connection
     * @param localPort the proxy's port of the connection
     * @param tls the TLS protocol, or empty without TLS
     * @param applicationName the startup {@code application_name}, or null
     * @param backend the backend name, or {@code pgwarden} for a console session
     */
    record Client(String user, String database, String address, int port, String localAddress, int localPort, String tls,
                  String applicationName, String backend) {

        /** Checks for null where a value is required. */
        Client {
            Objects.requireNonNull(tls, "tls");
        }
    }
}
