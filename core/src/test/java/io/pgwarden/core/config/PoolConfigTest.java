package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code pool:} section: every key, its default and range, and the per-database and per-user overrides. */
class PoolConfigTest {

    @TempDir
    Path dir;

    private PoolConfig pool(String yaml) {
        return MinimalConfig.parse(yaml, dir).pool();
    }

    private List<String> problemsOf(String yaml) {
        return MinimalConfig.problemsOf(yaml, dir);
    }

    @Test
    void absentSectionGivesTheDefaults() {
        PoolConfig pool = pool("");

        assertThat(pool).isEqualTo(PoolConfig.DEFAULTS);
        assertThat(pool.mode()).isEqualTo(PoolMode.SESSION);
        assertThat(pool.size()).isEqualTo(20);
        assertThat(pool.minSize()).isZero();
        assertThat(pool.reserveSize()).isZero();
        assertThat(pool.reserveTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(pool.maxDatabaseConnections()).isZero();
        assertThat(pool.maxUserConnections()).isZero();
        assertThat(pool.maxPreparedStatements()).isEqualTo(200);
        assertThat(pool.queryWaitTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(pool.idleTransactionTimeout()).isZero();
        assertThat(pool.clientIdleTimeout()).isZero();
        assertThat(pool.serverIdleTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(pool.serverLifetime()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(pool.serverCheckDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(pool.serverCheckQuery()).isEqualTo("SELECT 1");
        assertThat(pool.serverResetQuery()).isEqualTo("DISCARD ALL");
        assertThat(pool.databases()).isEmpty();
        assertThat(pool.users()).isEmpty();
    }

    @Test
    void emptySectionGivesTheDefaults() {
        assertThat(pool("pool:\n")).isEqualTo(PoolConfig.DEFAULTS);
        assertThat(pool("pool: {}\n")).isEqualTo(PoolConfig.DEFAULTS);
    }

    @Test
    void everyKeyMapsOntoTheRecord() {
        PoolConfig pool = pool("""
                pool:
                  mode: transaction
                  size: 50
                  min_size: 5
                  reserve_size: 3
                  reserve_timeout: 250ms
                  max_db_connections: 80
                  max_user_connections: 60
                  max_prepared_statements: 1000
                  query_wait_timeout: 2m
                  idle_transaction_timeout: 30s
                  client_idle_timeout: 1h
                  server_idle_timeout: 0
                  server_lifetime: 1d
                  server_check_delay: 10s
                  server_check_query: "select 'alive'"
                  server_reset_query: RESET ALL
                  databases:
                    reports: { mode: session, size: 5, min_size: 1, reserve_size: 2, max_connections: 10 }
                    "Mixed Case-db": { size: 7 }
                  users:
                    batch: { mode: session, max_connections: 3 }
                    app: { mode: transaction }
                """);

        assertThat(pool).isEqualTo(new PoolConfig(PoolMode.TRANSACTION, 50, 5, 3, Duration.ofMillis(250), 80, 60, 1000,
                Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ZERO, Duration.ofDays(1),
                Duration.ofSeconds(10), "select 'alive'", "RESET ALL",
                Map.of("reports", new DatabasePoolConfig(PoolMode.SESSION, 5, 1, 2, 10),
                        "Mixed Case-db", new DatabasePoolConfig(null, 7, null, null, null)),
                Map.of("batch", new UserPoolConfig(PoolMode.SESSION, 3),
                        "app", new UserPoolConfig(PoolMode.TRANSACTION, null))));
    }

    @Test
    void rangeLimitsAreAccepted() {
        PoolConfig low = pool("pool: { size: 1, min_size: 0, reserve_size: 0, max_db_connections: 0, "
                + "max_user_connections: 0, max_prepared_statements: 0, reserve_timeout: 0, query_wait_timeout: 0, "
                + "server_lifetime: 0, server_check_delay: 0 }\n");
        assertThat(low.size()).isEqualTo(1);
        assertThat(low.maxPreparedStatements()).isZero();
        assertThat(low.queryWaitTimeout()).isZero();
        assertThat(low.serverCheckDelay()).isZero();

        PoolConfig high = pool("pool: { size: 10000, min_size: 10000, reserve_size: 10000, max_db_connections: 1000000, "
                + "max_user_connections: 1000000, max_prepared_statements: 100000 }\n");
        assertThat(high).extracting(PoolConfig::size, PoolConfig::minSize, PoolConfig::reserveSize,
                PoolConfig::maxDatabaseConnections, PoolConfig::maxUserConnections, PoolConfig::maxPreparedStatements)
                .containsExactly(10_000, 10_000, 10_000, 1_000_000, 1_000_000, 100_000);
    }

    @Test
    void emptyQueriesTurnTheCheckAndTheResetOff() {
        PoolConfig pool = pool("pool: { server_check_query: \"\", server_reset_query: '  ' }\n");
        assertThat(pool.serverCheckQuery()).isEmpty();
        assertThat(pool.serverResetQuery()).isEmpty();
    }

    @Test
    void settingsApplyUserThenDatabaseThenGlobalValues() {
        PoolConfig pool = pool("""
                pool:
                  mode: transaction
                  size: 20
                  min_size: 2
                  reserve_size: 1
                  max_db_connections: 100
                  max_user_connections: 50
                  databases:
                    reports: { mode: session, size: 5, min_size: 1, reserve_size: 2, max_connections: 10 }
                    sized: { size: 8 }
                  users:
                    batch: { mode: session, max_connections: 3 }
                    oltp: { mode: transaction }
                """);

        assertThat(pool.settings("app", "web")).isEqualTo(new PoolSettings(PoolMode.TRANSACTION, 20, 2, 1, 100, 50));
        assertThat(pool.settings("reports", "web")).isEqualTo(new PoolSettings(PoolMode.SESSION, 5, 1, 2, 10, 50));
        assertThat(pool.settings("sized", "web")).isEqualTo(new PoolSettings(PoolMode.TRANSACTION, 8, 2, 1, 100, 50));
        assertThat(pool.settings("app", "batch")).isEqualTo(new PoolSettings(PoolMode.SESSION, 20, 2, 1, 100, 3));
        assertThat(pool.settings("reports", "oltp")).isEqualTo(new PoolSettings(PoolMode.TRANSACTION, 5, 1, 2, 10, 50));
        assertThat(pool.settings("reports", "batch")).isEqualTo(new PoolSettings(PoolMode.SESSION, 5, 1, 2, 10, 3));
    }

    @Test
    void statementModeIsRefusedWithAHintToUseTransaction() {
        assertThat(problemsOf("pool: { mode: statement }\n"))
                .containsExactly("pool.mode: statement mode is not supported; use transaction");
        assertThat(problemsOf("pool: { databases: { a: { mode: statement } }, users: { u: { mode: statement } } }\n"))
                .containsExactly("pool.databases.a.mode: statement mode is not supported; use transaction",
                        "pool.users.u.mode: statement mode is not supported; use transaction");
    }

    @Test
    void unknownModesAreRefused() {
        assertThat(problemsOf("pool: { mode: Transaction }\n"))
                .containsExactly("pool.mode: expected one of session, transaction, found 'Transaction'");
        assertThat(problemsOf("pool: { mode: [ session ] }\n"))
                .containsExactly("pool.mode: expected a single value, found a list");
    }

    @Test
    void sizesOutOfRangeAreRefused() {
        assertThat(problemsOf("""
                pool:
                  size: 0
                  reserve_size: 10001
                  max_db_connections: -1
                  max_user_connections: 1000001
                  max_prepared_statements: 100001
                """)).containsExactly(
                "pool.size: expected a pool size 1-10000, found '0'",
                "pool.reserve_size: expected a number of connections 0-10000, found '10001'",
                "pool.max_db_connections: expected a number of connections 0-1000000 (0 = no cap), found '-1'",
                "pool.max_user_connections: expected a number of connections 0-1000000 (0 = no cap), found '1000001'",
                "pool.max_prepared_statements: expected a number of statements 0-100000 (0 = off), found '100001'");
        assertThat(problemsOf("pool: { size: 10001, min_size: -1 }\n")).containsExactly(
                "pool.size: expected a pool size 1-10000, found '10001'",
                "pool.min_size: expected a number of connections 0-10000, found '-1'");
    }

    @Test
    void sizesThatAreNotWholeNumbersAreRefused() {
        assertThat(problemsOf("pool: { size: twenty, min_size: 1.5, reserve_size: 0x10, max_db_connections: 99999999999, "
                + "max_user_connections: true, max_prepared_statements: { n: 1 } }\n")).containsExactly(
                "pool.size: expected a pool size 1-10000, found 'twenty'",
                "pool.min_size: expected a number of connections 0-10000, found '1.5'",
                "pool.reserve_size: expected a number of connections 0-10000, found '0x10'",
                "pool.max_db_connections: expected a number of connections 0-1000000 (0 = no cap), found '99999999999'",
                "pool.max_user_connections: expected a number of connections 0-1000000 (0 = no cap), found 'true'",
                "pool.max_prepared_statements: expected a single value, found a map");
    }

    @Test
    void minSizeAboveSizeIsRefused() {
        assertThat(problemsOf("pool: { size: 5, min_size: 6 }\n"))
                .containsExactly("pool.min_size: must not be more than pool.size (5), found '6'");
        assertThat(problemsOf("pool: { min_size: 21 }\n"))
                .containsExactly("pool.min_size: must not be more than pool.size (20), found '21'");
    }

    @Test
    void minSizeIsNotComparedWithASizeThatIsItselfWrong() {
        assertThat(problemsOf("pool: { size: lots, min_size: 25, databases: { a: { min_size: 21 } } }\n"))
                .containsExactly("pool.size: expected a pool size 1-10000, found 'lots'");
        assertThat(problemsOf("pool: { databases: { a: { size: x, min_size: 3 } } }\n"))
                .containsExactly("pool.databases.a.size: expected a pool size 1-10000, found 'x'");
    }

    @Test
    void perDatabaseMinSizeIsComparedWithTheEffectiveSize() {
        assertThat(problemsOf("pool: { databases: { reports: { size: 5, min_size: 6 } } }\n"))
                .containsExactly("pool.databases.reports.min_size: must not be more than the pool size (5), found '6'");
        assertThat(problemsOf("pool: { size: 4, databases: { reports: { min_size: 5 } } }\n"))
                .containsExactly("pool.databases.reports.min_size: must not be more than the pool size (4), found '5'");
        assertThat(problemsOf("pool: { min_size: 3, databases: { reports: { size: 2 } } }\n"))
                .containsExactly("pool.databases.reports.size: must not be less than pool.min_size (3), found '2'");
        assertThat(pool("pool: { min_size: 3, databases: { reports: { size: 2, min_size: 0 } } }\n")
                .settings("reports", "u")).isEqualTo(new PoolSettings(PoolMode.SESSION, 2, 0, 0, 0, 0));
    }

    @Test
    void durationsAreCheckedWithTheirPaths() {
        assertThat(problemsOf("""
                pool:
                  reserve_timeout: 5
                  query_wait_timeout: -1s
                  idle_transaction_timeout: 1w
                  client_idle_timeout: soon
                  server_idle_timeout: 10 minutes
                  server_lifetime: 1.5h
                  server_check_delay: [ 30s ]
                """)).containsExactly(
                "pool.reserve_timeout: expected a duration like 500ms, 10s, 5m or 1h, found '5'",
                "pool.query_wait_timeout: expected a duration like 500ms, 10s, 5m or 1h, found '-1s'",
                "pool.idle_transaction_timeout: expected a duration like 500ms, 10s, 5m or 1h, found '1w'",
                "pool.client_idle_timeout: expected a duration like 500ms, 10s, 5m or 1h, found 'soon'",
                "pool.server_idle_timeout: expected a duration like 500ms, 10s, 5m or 1h, found '10 minutes'",
                "pool.server_lifetime: expected a duration like 500ms, 10s, 5m or 1h, found '1.5h'",
                "pool.server_check_delay: expected a single value, found a list");
    }

    @Test
    void queriesMustBeSingleTextValuesWithoutNul() {
        assertThat(problemsOf("pool: { server_check_query: \"SELECT\\0 1\", server_reset_query: [ DISCARD ALL ] }\n"))
                .containsExactly("pool.server_check_query: must not contain a NUL character",
                        "pool.server_reset_query: expected a single value, found a list");
    }

    @Test
    void unknownKeysAreRefusedAtEveryLevel() {
        assertThat(problemsOf("""
                pool:
                  pool_mode: transaction
                  default_pool_size: 5
                  databases:
                    reports: { sise: 5, max_db_connections: 3 }
                  users:
                    batch: { size: 2 }
                """)).containsExactly(
                "pool.pool_mode: unknown key; known keys: mode, size, min_size, reserve_size, reserve_timeout, "
                        + "max_db_connections, max_user_connections, max_prepared_statements, query_wait_timeout, "
                        + "idle_transaction_timeout, client_idle_timeout, server_idle_timeout, server_lifetime, "
                        + "server_check_delay, server_check_query, server_reset_query, databases, users",
                "pool.default_pool_size: unknown key; known keys: mode, size, min_size, reserve_size, reserve_timeout, "
                        + "max_db_connections, max_user_connections, max_prepared_statements, query_wait_timeout, "
                        + "idle_transaction_timeout, client_idle_timeout, server_idle_timeout, server_lifetime, "
                        + "server_check_delay, server_check_query, server_reset_query, databases, users",
                "pool.databases.reports.sise: unknown key; known keys: mode, size, min_size, reserve_size, max_connections",
                "pool.databases.reports.max_db_connections: unknown key; known keys: mode, size, min_size, reserve_size, "
                        + "max_connections",
                "pool.users.batch.size: unknown key; known keys: mode, max_connections");
    }

    @Test
    void wrongShapesAreRefused() {
        assertThat(problemsOf("pool: [ transaction ]\n"))
                .containsExactly("pool: expected a map of keys and values, found a list");
        assertThat(problemsOf("pool: transaction\n"))
                .containsExactly("pool: expected a map of keys and values, found 'transaction'");
        assertThat(problemsOf("pool: { databases: [ reports ], users: batch }\n")).containsExactly(
                "pool.databases: expected a map of keys and values, found a list",
                "pool.users: expected a map of keys and values, found 'batch'");
        assertThat(problemsOf("pool: { databases: { reports: 5, empty: ~ }, users: { batch: [ session ] } }\n"))
                .containsExactly(
                        "pool.databases.reports: expected a map of keys and values, found '5'",
                        "pool.databases.empty: expected a map of settings, e.g. { mode: session, size: 5 }",
                        "pool.users.batch: expected a map of keys and values, found a list");
    }

    @Test
    void perDatabaseAndPerUserValuesAreCheckedWithTheirPaths() {
        assertThat(problemsOf("""
                pool:
                  databases:
                    reports: { mode: sometimes, size: 0, min_size: -1, reserve_size: 10001, max_connections: lots }
                  users:
                    batch: { mode: 1, max_connections: -5 }
                """)).containsExactly(
                "pool.databases.reports.mode: expected one of session, transaction, found 'sometimes'",
                "pool.databases.reports.size: expected a pool size 1-10000, found '0'",
                "pool.databases.reports.min_size: expected a number of connections 0-10000, found '-1'",
                "pool.databases.reports.reserve_size: expected a number of connections 0-10000, found '10001'",
                "pool.databases.reports.max_connections: expected a number of connections 0-1000000 (0 = no cap), "
                        + "found 'lots'",
                "pool.users.batch.mode: expected one of session, transaction, found '1'",
                "pool.users.batch.max_connections: expected a number of connections 0-1000000 (0 = no cap), found '-5'");
    }

    @Test
    void emptyDatabaseAndUserNamesAreRefused() {
        assertThat(problemsOf("pool: { databases: { \"\": { size: 1 } }, users: { \" \": { max_connections: 1 } } }\n"))
                .containsExactly("pool.databases: a name must not be empty", "pool.users: a name must not be empty");
    }

    @Test
    void duplicateDatabasesAreRefused() {
        assertThat(problemsOf("pool: { databases: { a: { size: 1 }, a: { size: 2 } } }\n"))
                .containsExactly("pool.databases.a: duplicate key");
    }

    @Test
    void poolProblemsAreReportedWithTheOtherProblems() {
        assertThat(problemsOf("limits: { auth_timeout: x }\npool: { size: 0 }\n")).containsExactly(
                "limits.auth_timeout: expected a duration like 500ms, 10s, 5m or 1h, found 'x'",
                "pool.size: expected a pool size 1-10000, found '0'");
    }
}
