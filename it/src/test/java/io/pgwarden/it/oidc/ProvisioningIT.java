package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.TestCertificates;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * Provisioning end to end through the real auth-oidc plugin jar: a real PostgreSQL that accepts people only by
 * client certificate ({@code cert}) and pgwarden's admin and set-role service account by SCRAM, mock-oauth2-server
 * issuing tokens with groups, and pgjdbc logging in through pgwarden. The admin is not a superuser: it has
 * CREATEROLE and made the marker and the managed group roles itself, as docs/sso.md section 17 tells an operator to.
 * Rules of database {@code postgres} log in with client-cert, rules of database {@code sr} with set-role; both
 * provision.
 */
@ExtendWith(LeakCheckExtension.class)
class ProvisioningIT {

    private static final String ADMIN = "pgwarden_admin";
    private static final String ADMIN_PASSWORD = "adm-Pw-4kQ8z";
    private static final String SSO = "pgwarden_sso";
    private static final String SSO_PASSWORD = "sso-Pw-7hT2m";
    private static final String MARKER = "pgwarden_managed";
    private static final String SET_ROLE_DATABASE = "sr";
    private static final String WRONG_PASSWORD = "not-the-adm-Pw-3";

    private static LogCapture log;
    private static TestCertificates certificates;
    private static OidcPluginFixture plugin;
    private static DatabaseClientCa clientCa;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static ProxyFixture proxy;
    private static ProxyFixture peer;
    private static ProxyFixture wrongAdminPassword;
    private static ProxyFixture missingMarker;

    @BeforeAll
    static void start() throws SQLException {
        log = LogCapture.start();
        certificates = TestCertificates.create();
        plugin = OidcPluginFixture.create();
        clientCa = DatabaseClientCa.create(plugin.directory(), "db-client-ca");
        postgres = EmbeddedPostgres.builder()
                .tls(certificates.serverCertificate(), certificates.serverKey(), clientCa.certificate())
                .hba("hostssl all " + ADMIN + "," + SSO + " 127.0.0.1/32 scram-sha-256")
                // As docs/sso.md section 17 suggests: the CA logs in only roles pgwarden manages.
                .hba("hostssl all +" + MARKER + " 127.0.0.1/32 cert")
                .role(ADMIN, ADMIN_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(SSO, SSO_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .database(SET_ROLE_DATABASE, EmbeddedPostgres.SUPERUSER)
                .start();
        postgres.execute("postgres",
                "ALTER ROLE " + ADMIN + " CREATEROLE",
                "ALTER ROLE " + SSO + " NOINHERIT",
                // Made by hand: pgwarden must never take it over.
                "CREATE ROLE mallory LOGIN",
                "CREATE ROLE legacy_admins NOLOGIN",
                "GRANT legacy_admins TO mallory",
                "CREATE ROLE ops NOLOGIN");
        // The admin makes the marker and the managed group roles, so it holds ADMIN OPTION on them (PostgreSQL 16+).
        try (Connection admin = adminConnection(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE ROLE " + MARKER + " NOLOGIN");
            statement.execute("CREATE ROLE analytics_read NOLOGIN");
            statement.execute("CREATE ROLE app_write NOLOGIN");
        }
        postgres.execute("postgres", "GRANT analytics_read TO legacy_admins");
        provider = OidcFixture.start("staff");
        String adminPassword = plugin.secretReference("admin.password", ADMIN_PASSWORD);
        proxy = plugin.startProxy(config(adminPassword, MARKER));
        peer = plugin.startProxy(config(adminPassword, MARKER));
        wrongAdminPassword = plugin.startProxy(config(plugin.secretReference("wrong.password", WRONG_PASSWORD), MARKER));
        missingMarker = plugin.startProxy(config(adminPassword, "no_such_marker"));
    }

    /** pgwarden's configuration; {@code peer} is a second pgwarden with the same one, as in a deployment of several. */
    private static String config(String adminPasswordReference, String marker) {
        return """
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: verify-full, ca: "%s" } }
                auth:
                  rules:
                    - { database: %s, method: oidc, strategy: set-role, provision: true }
                    - { method: oidc, provision: true }
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                    authorization:
                      allowed_groups: [analysts, engineers]
                    strategy: client-cert
                    client_cert:
                      ca_cert: "%s"
                      ca_key: "${file:%s}"
                    set_role:
                      user: %s
                      password: "%s"
                    provisioning:
                      admin: { user: %s, password: "%s" }
                      marker_role: %s
                      groups:
                        analysts: [analytics_read]
                        engineers: [analytics_read, app_write]
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(),
                certificates.caCertificate(), SET_ROLE_DATABASE, provider.issuer(), clientCa.certificate(), clientCa.key(),
                SSO, plugin.secretReference("sso.password", SSO_PASSWORD), ADMIN, adminPasswordReference, marker);
    }

    private static Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl("postgres", ADMIN) + "&sslmode=require&password=" + ADMIN_PASSWORD);
    }

    @AfterEach
    void logsNeverShowATokenOrAPassword() {
        log.assertNoneOf(provider.issuedTokens());
        log.assertNoneOf(List.of(ADMIN_PASSWORD, SSO_PASSWORD, WRONG_PASSWORD));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, provider, postgres, certificates, log);
    }

    @Test
    void firstLoginCreatesTheRoleMarkedAndWithTheMembershipsOfItsGroups() throws Exception {
        assertThat(role("alice")).as("no role before the first login").isNull();

        try (Connection alice = TokenLogins.connect(proxy, "postgres", "alice", provider.token("alice").groups("engineers", "sales")
                .issue())) {
            assertThat(TokenLogins.query(alice, "SELECT session_user")).isEqualTo("alice");
            assertThat(TokenLogins.query(alice, "SELECT pg_has_role('app_write', 'USAGE')::text")).isEqualTo("true");
        }

        assertThat(role("alice")).isEqualTo("login=true memberOf=[analytics_read, app_write, pgwarden_managed]");
        assertThat(memberOption("alice", MARKER)).as("the marker gives nothing: no INHERIT, no SET").isEqualTo("inherit=false set=false");
        assertThat(logLines("provisioning of role \"alice\" on backend pg: created, granted [analytics_read, app_write], revoked []"))
                .hasSize(1);
    }

    @Test
    void aGroupRemovedAtTheProviderIsRevokedAtTheNextLoginAndOtherMembershipsStay() throws Exception {
        TokenLogins.connect(proxy, "postgres", "bob", provider.token("bob").groups("engineers").issue()).close();
        assertThat(role("bob")).isEqualTo("login=true memberOf=[analytics_read, app_write, pgwarden_managed]");
        // A membership outside the managed set, granted by hand: provisioning never touches it.
        postgres.execute("postgres", "GRANT ops TO bob");

        try (Connection bob = TokenLogins.connect(proxy, "postgres", "bob", provider.token("bob").groups("analysts").issue())) {
            assertThat(TokenLogins.query(bob, "SELECT pg_has_role('app_write', 'USAGE')::text")).isEqualTo("false");
        }

        assertThat(role("bob")).isEqualTo("login=true memberOf=[analytics_read, ops, pgwarden_managed]");
    }

    @Test
    void aRoleMadeByHandIsNeverTakenOver() throws Exception {
        String before = role("mallory");

        PSQLException refused = TokenLogins.refusal(proxy, "postgres", "mallory", provider.token("mallory").groups("engineers").issue());

        assertThat(TokenLogins.assertRefused(refused, "28000")).isEqualTo("role \"mallory\" exists and is not managed by pgwarden");
        assertThat(role("mallory")).isEqualTo(before).isEqualTo("login=true memberOf=[legacy_admins]");
        assertThat(logLines("provisioning refused: role \"mallory\" exists and is not managed by pgwarden")).hasSize(1);
    }

    @Test
    void theRolesOfPostgresAndOfPgwardenAreNeverTakenOver() throws Exception {
        for (String name : List.of(EmbeddedPostgres.SUPERUSER, ADMIN, SSO, MARKER, "app_write")) {
            String before = role(name);
            PSQLException refused = TokenLogins.refusal(proxy, "postgres", name, provider.token(name).groups("engineers").issue());
            assertThat(TokenLogins.assertRefused(refused, "28000"))
                    .isEqualTo("role \"" + name + "\" exists and is not managed by pgwarden");
            assertThat(role(name)).isEqualTo(before);
        }
    }

    @Test
    void concurrentFirstLoginsOfOnePersonThroughTwoPgwardensAllGetInAndCreateTheRoleOnce() throws Exception {
        int logins = 8;
        CountDownLatch ready = new CountDownLatch(logins);
        ExecutorService clients = Executors.newFixedThreadPool(logins);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < logins; i++) {
                String token = provider.token("carol").groups("engineers").issue();
                // Half through each pgwarden: one process's lock cannot serialize them, PostgreSQL's advisory lock must.
                ProxyFixture pgwarden = i % 2 == 0 ? proxy : peer;
                Callable<String> login = () -> {
                    ready.countDown();
                    ready.await(10, TimeUnit.SECONDS);
                    try (Connection carol = TokenLogins.connect(pgwarden, "postgres", "carol", token)) {
                        return TokenLogins.query(carol, "SELECT session_user");
                    }
                };
                results.add(clients.submit(login));
            }
            for (Future<String> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo("carol");
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(role("carol")).isEqualTo("login=true memberOf=[analytics_read, app_write, pgwarden_managed]");
        assertThat(logLines("provisioning of role \"carol\" on backend pg: created")).hasSize(1);
        assertThat(log.lines()).noneMatch(line -> line.contains("could not provision role \"carol\""));
        assertThat(postgres.serverLog()).doesNotContain("already exists").doesNotContain("tuple concurrently updated");
    }

    @Test
    void aPersonWhoLostEveryAllowedGroupIsRefusedAndTheirRoleBecomesNologinUntilTheyAreBack() throws Exception {
        TokenLogins.connect(proxy, "postgres", "dave", provider.token("dave").groups("engineers").issue()).close();

        PSQLException refused = TokenLogins.refusal(proxy, "postgres", "dave", provider.token("dave").groups("sales").issue());

        assertThat(TokenLogins.assertRefused(refused, "28000"))
                .isEqualTo("dave is not in a group allowed by plugins[0].authorization.allowed_groups");
        assertThat(role("dave")).as("not dropped: NOLOGIN, managed memberships revoked, still marked")
                .isEqualTo("login=false memberOf=[pgwarden_managed]");

        try (Connection dave = TokenLogins.connect(proxy, "postgres", "dave", provider.token("dave").groups("analysts").issue())) {
            assertThat(TokenLogins.query(dave, "SELECT session_user")).isEqualTo("dave");
        }
        assertThat(role("dave")).isEqualTo("login=true memberOf=[analytics_read, pgwarden_managed]");
    }

    @Test
    void setRoleProvisionsANologinRoleTheServiceAccountMaySetButNotInherit() throws Exception {
        try (Connection erin = TokenLogins.connect(proxy, SET_ROLE_DATABASE, "erin", provider.token("erin").groups("analysts").issue())) {
            assertThat(TokenLogins.query(erin, "SELECT current_user || '|' || session_user")).isEqualTo("erin|" + SSO);
            assertThat(TokenLogins.query(erin, "SELECT pg_has_role('analytics_read', 'USAGE')::text")).isEqualTo("true");
        }

        assertThat(role("erin")).isEqualTo("login=false memberOf=[analytics_read, pgwarden_managed]");
        assertThat(memberOption(SSO, "erin")).isEqualTo("inherit=false set=true");
    }

    @Test
    void aSetRolePersonWhoLostEveryAllowedGroupCanNoLongerBeTakenByTheServiceAccount() throws Exception {
        TokenLogins.connect(proxy, SET_ROLE_DATABASE, "grace", provider.token("grace").groups("engineers").issue()).close();
        assertThat(memberOption(SSO, "grace")).isEqualTo("inherit=false set=true");

        PSQLException refused = TokenLogins.refusal(proxy, SET_ROLE_DATABASE, "grace", provider.token("grace").issue());

        assertThat(TokenLogins.assertRefused(refused, "28000"))
                .isEqualTo("grace is not in a group allowed by plugins[0].authorization.allowed_groups");
        assertThat(role("grace")).isEqualTo("login=false memberOf=[pgwarden_managed]");
        assertThat(memberOf(SSO)).doesNotContain("grace");
    }

    @Test
    void aHostileRoleNameCreatesExactlyThatRoleAndNothingElse() throws Exception {
        String hostile = "eve\"; DROP ROLE " + ADMIN + "; CREATE ROLE x SUPERUSER; --";
        List<String> before = roleNames();

        try (Connection eve = TokenLogins.connect(proxy, SET_ROLE_DATABASE, hostile, provider.token(hostile).groups("analysts").issue())) {
            assertThat(TokenLogins.query(eve, "SELECT current_user")).isEqualTo(hostile);
        }

        List<String> after = roleNames();
        assertThat(after).containsAll(before).contains(hostile, ADMIN).doesNotContain("x");
        assertThat(after).hasSize(before.size() + 1);
        assertThat(role(hostile)).isEqualTo("login=false memberOf=[analytics_read, pgwarden_managed]");
    }

    @Test
    void whenTheAdminCannotConnectTheLoginIsRefusedWith08006AndTheRoleIsNotCreated() throws Exception {
        PSQLException refused = TokenLogins.refusal(wrongAdminPassword, "postgres", "frank",
                provider.token("frank").groups("analysts").issue());

        assertThat(TokenLogins.assertRefused(refused, "08006")).isEqualTo("could not provision role \"frank\"; pgwarden's log says why");
        assertThat(role("frank")).isNull();
        assertThat(logLines("could not provision role \"frank\" on backend pg as \"pgwarden_admin\" (plugins[0].provisioning)"))
                .singleElement().satisfies(line -> assertThat(line).contains("password authentication failed"));
    }

    @Test
    void withoutTheMarkerRoleTheLoginIsRefusedAndTheLogSaysHowToCreateIt() throws Exception {
        PSQLException refused = TokenLogins.refusal(missingMarker, "postgres", "heidi", provider.token("heidi").groups("analysts").issue());

        assertThat(TokenLogins.assertRefused(refused, "08006")).isEqualTo("could not provision role \"heidi\"; pgwarden's log says why");
        assertThat(role("heidi")).isNull();
        assertThat(logLines("WARN [" )).filteredOn(line -> line.contains("could not provision role \"heidi\"")).singleElement()
                .satisfies(line -> assertThat(line).contains("the marker role \"no_such_marker\" (plugins[0].provisioning.marker_role) "
                        + "does not exist on backend pg; create it: CREATE ROLE \"no_such_marker\" NOLOGIN"));
    }

    /** The role's LOGIN attribute and direct memberships, or null when it does not exist. */
    private static String role(String name) throws SQLException {
        try (Connection connection = postgres.superuserConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT r.rolcanlogin, ARRAY(SELECT DISTINCT g.rolname::text"
                     + " FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1)::text"
                     + " FROM pg_roles r WHERE r.rolname = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                String members = rows.getString(2);
                return "login=" + rows.getBoolean(1) + " memberOf=[" + members.substring(1, members.length() - 1).replace(",", ", ") + "]";
            }
        }
    }

    /** The options of {@code member}'s membership in {@code role}. */
    private static String memberOption(String member, String role) throws SQLException {
        try (Connection connection = postgres.superuserConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT m.inherit_option, m.set_option FROM pg_auth_members m"
                     + " JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = ? AND u.rolname = ?")) {
            statement.setString(1, role);
            statement.setString(2, member);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).as("%s is a member of %s", member, role).isTrue();
                return "inherit=" + rows.getBoolean(1) + " set=" + rows.getBoolean(2);
            }
        }
    }

    /** The roles {@code member} is a direct member of. */
    private static List<String> memberOf(String member) throws SQLException {
        List<String> roles = new ArrayList<>();
        try (Connection connection = postgres.superuserConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT r.rolname FROM pg_auth_members m"
                     + " JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = ?")) {
            statement.setString(1, member);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    roles.add(rows.getString(1));
                }
            }
        }
        return roles;
    }

    private static List<String> roleNames() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = postgres.superuserConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT rolname FROM pg_roles ORDER BY 1")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    private static List<String> logLines(String text) {
        return log.lines().stream().filter(line -> line.contains(text)).toList();
    }
}
