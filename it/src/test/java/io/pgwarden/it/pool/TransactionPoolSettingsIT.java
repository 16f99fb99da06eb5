package io.pgwarden.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * No setting leaks between the clients of a transaction pool, and every client keeps its own settings wherever
 * its next transaction runs.
 *
 * <p>Each test runs one scenario on a pool of two servers. A third client holds server 1 in an open transaction
 * while client A changes a setting, so A runs on server 2. B then begins a transaction: the only free server is
 * server 2, the one A just changed, and B must see its own value there. With B holding server 2, the third client
 * commits, so A's next transaction must run on server 1, where A must see its value again. Which client gets which
 * server is forced, so the assertions on backend pids show the sharing the pool must make safe.
 *
 * <p>B's expected value is what the same client sees connected to PostgreSQL directly.
 */
@ExtendWith(LeakCheckExtension.class)
class TransactionPoolSettingsIT {

    private static final String READER_ROLE = "pool_reader";
    private static final String READER_APPLICATION = "as-reader";

    private static PoolBackend backend;
    private static ProxyFixture proxy;
    private static ProxyFixture roleProxy;

    @BeforeAll
    static void start() {
        backend = PoolBackend.start();
        backend.postgres().execute("postgres", "CREATE ROLE " + READER_ROLE);
        proxy = backend.startProxy("{ mode: transaction, size: 2 }", "");
        roleProxy = backend.startProxy("{ mode: transaction, size: 2 }", """
                plugins:
                  - { type: test-pool-session-role, role: %s, application_name: %s }
                """.formatted(READER_ROLE, READER_APPLICATION));
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void timeZoneSetByOneClientStaysWithIt() throws Exception {
        assertSettingStaysWithItsClient("SET TimeZone = 'Asia/Tokyo'", "TimeZone", "Asia/Tokyo");
    }

    @Test
    void dateStyleSetByOneClientStaysWithIt() throws Exception {
        // pgjdbc insists on a DateStyle that starts with ISO.
        assertSettingStaysWithItsClient("SET DateStyle = 'ISO, DMY'", "DateStyle", "ISO, DMY");
    }

    @Test
    void intervalStyleSetByOneClientStaysWithIt() throws Exception {
        assertSettingStaysWithItsClient("SET IntervalStyle = 'iso_8601'", "IntervalStyle", "iso_8601");
    }

    @Test
    void applicationNameSetByOneClientStaysWithIt() throws Exception {
        assertSettingStaysWithItsClient("SET application_name = 'renamed by client A'", "application_name",
                "renamed by client A");
    }

    @Test
    void standardConformingStringsSetByOneClientStaysWithIt() throws Exception {
        assertSettingStaysWithItsClient("SET standard_conforming_strings = off", "standard_conforming_strings", "off");
    }

    @Test
    void defaultTransactionReadOnlySetByOneClientStaysWithIt() throws Exception {
        assertSettingStaysWithItsClient("SET default_transaction_read_only = on", "default_transaction_read_only", "on");
    }

    @Test
    void searchPathSetByOneClientStaysWithItWhereTheServerReportsIt() throws Exception {
        try (Connection direct = backend.directAsPooledUser("")) {
            assumeTrue(direct.unwrap(PGConnection.class).getParameterStatuses().containsKey("search_path"),
                    "PostgreSQL reports search_path from version 18 on; before, SET search_path pins instead");
        }
        assertSettingStaysWithItsClient("SET search_path = pool_client_a, public", "search_path",
                "pool_client_a, public");
    }

    @Test
    void clientEncodingSetByOneClientStaysWithIt() throws Exception {
        // pgjdbc refuses any client_encoding but UTF8, so both clients speak the protocol themselves.
        Map<String, String> startup = Map.of("client_encoding", "UTF8");
        String valueOfB;
        try (RawSession direct = RawSession.open(backend.postgres().port(), startup)) {
            valueOfB = direct.value("SELECT current_setting('client_encoding')");
        }
        try (ProbeClient a = ProbeClient.raw(RawSession.open(proxy, startup));
             ProbeClient b = ProbeClient.raw(RawSession.open(proxy, startup))) {
            assertStaysWithItsClient(proxy, a, b, "SET client_encoding = 'LATIN1'", "current_setting('client_encoding')",
                    "client_encoding", "LATIN1", valueOfB);
        }
    }

    @Test
    void nonAsciiSettingReachesAServerThatAnotherClientLeftInLatin1() throws Exception {
        // The proxy's own statements are UTF-8; the server reads them in the client_encoding it has.
        try (ServerHold hold = ServerHold.begin(proxy);
             ProbeClient a = ProbeClient.raw(RawSession.open(proxy, Map.of("client_encoding", "UTF8")))) {
            a.run("SET client_encoding = 'LATIN1'");
            int latin1Server = Integer.parseInt(a.row("SELECT pg_backend_pid()").get(0));
            try (ProbeClient b = ProbeClient.raw(RawSession.open(proxy,
                    Map.of("client_encoding", "UTF8", "options", "-c pgwarden_test.who=caf\u00e9\\ \u2713")))) {
                List<String> row = b.row("SELECT pg_backend_pid(), current_setting('pgwarden_test.who'),"
                        + " current_setting('client_encoding')");
                assertThat(Integer.parseInt(row.get(0))).as("B got the server A left in LATIN1").isEqualTo(latin1Server);
                assertThat(row.subList(1, 3)).containsExactly("caf\u00e9 \u2713", "UTF8");
            }
            assertThat(a.row("SELECT current_setting('client_encoding')")).containsExactly("LATIN1");
        }
    }

    @Test
    void extraFloatDigitsFromTheStartupPacketStaysWithItsClient() throws Exception {
        String valueOfB;
        try (RawSession direct = RawSession.open(backend.postgres().port(), Map.of())) {
            valueOfB = direct.value("SELECT current_setting('extra_float_digits')");
        }
        try (ProbeClient a = ProbeClient.raw(RawSession.open(proxy, Map.of("extra_float_digits", "-5")));
             ProbeClient b = ProbeClient.raw(RawSession.open(proxy, Map.of()))) {
            assertStaysWithItsClient(proxy, a, b, null, "current_setting('extra_float_digits')", null, "-5", valueOfB);
            assertThat(a.row("SELECT 0.1::float8 + 0.2::float8")).as("A's float output").containsExactly("0.3");
        }
    }

    @Test
    void optionFromTheOptionsStartupParameterStaysWithItsClient() throws Exception {
        String options = "options=" + PoolBackend.encode("-c work_mem=1234kB");
        String valueOfB;
        try (Connection direct = backend.directAsPooledUser("")) {
            valueOfB = PoolBackend.scalar(direct, "SELECT current_setting('work_mem')");
        }
        try (ProbeClient a = ProbeClient.jdbc(PoolBackend.connect(proxy, options));
             ProbeClient b = ProbeClient.jdbc(PoolBackend.connect(proxy, ""))) {
            assertStaysWithItsClient(proxy, a, b, null, "current_setting('work_mem')", null, "1234kB", valueOfB);
        }
    }

    @Test
    void setRoleFromSessionInitIsAppliedOnEveryAttachAndNeverSeenByAnotherClient() throws Exception {
        // assumeMinServerVersion puts application_name in the startup packet, where onAuth sees it.
        try (ProbeClient a = ProbeClient.jdbc(PoolBackend.connect(roleProxy,
                     "assumeMinServerVersion=9.0&ApplicationName=" + READER_APPLICATION));
             ProbeClient b = ProbeClient.jdbc(PoolBackend.connect(roleProxy,
                     "assumeMinServerVersion=9.0&ApplicationName=plain"))) {
            assertStaysWithItsClient(roleProxy, a, b, null, "current_user", null, READER_ROLE, PoolBackend.USER);
            assertThat(b.row("SELECT session_user, current_setting('role')")).containsExactly(PoolBackend.USER, "none");
        }
    }

    /** The scenario for a setting that pgjdbc clients change with {@code change}. */
    private static void assertSettingStaysWithItsClient(String change, String setting, String valueOfA) throws Exception {
        String probe = "current_setting('" + setting + "')";
        String valueOfB;
        try (Connection direct = backend.directAsPooledUser("")) {
            valueOfB = PoolBackend.scalar(direct, "SELECT " + probe);
        }
        try (ProbeClient a = ProbeClient.jdbc(PoolBackend.connect(proxy, ""));
             ProbeClient b = ProbeClient.jdbc(PoolBackend.connect(proxy, ""))) {
            assertStaysWithItsClient(proxy, a, b, change, probe, setting, valueOfA, valueOfB);
        }
    }

    /**
     * The scenario of the class comment.
     *
     * @param change what A runs to change the setting, or null when A's startup already did
     * @param probe the SQL expression that shows the setting
     * @param reported the ParameterStatus name of the setting, or null when PostgreSQL does not report it
     */
    private static void assertStaysWithItsClient(ProxyFixture pool, ProbeClient a, ProbeClient b, String change,
                                                 String probe, String reported, String valueOfA, String valueOfB)
            throws Exception {
        assertThat(valueOfA).as("A's value must differ from B's for the test to mean anything").isNotEqualTo(valueOfB);
        String query = "SELECT pg_backend_pid(), " + probe;
        try (ServerHold hold = ServerHold.begin(pool)) {
            if (change != null) {
                a.run(change);
            }
            List<String> aFirst = a.row(query);
            int changedServer = Integer.parseInt(aFirst.get(0));
            assertThat(changedServer).as("A runs on the server nobody holds").isNotEqualTo(hold.pid());
            assertThat(aFirst.get(1)).as("A sees its own value").isEqualTo(valueOfA);

            b.run("BEGIN");
            List<String> bOnChangedServer = b.row(query);
            assertThat(Integer.parseInt(bOnChangedServer.get(0))).as("B gets the server A just used").isEqualTo(changedServer);
            assertThat(bOnChangedServer.get(1)).as("B on A's server sees its own value, not A's").isEqualTo(valueOfB);

            hold.release();
            List<String> aMoved = a.row(query);
            assertThat(Integer.parseInt(aMoved.get(0))).as("A's next transaction runs on the other server")
                    .isEqualTo(hold.pid());
            assertThat(aMoved.get(1)).as("A's value follows it to the other server").isEqualTo(valueOfA);
            b.run("COMMIT");
        }
        assertThat(b.row(query).get(1)).as("B after A moved on").isEqualTo(valueOfB);
        assertThat(a.row(query).get(1)).as("A in a later transaction").isEqualTo(valueOfA);
        if (reported != null) {
            assertThat(a.reported()).as("ParameterStatus A received").containsEntry(reported, valueOfA);
            assertThat(b.reported()).as("ParameterStatus B received").containsEntry(reported, valueOfB);
        }
    }
}
