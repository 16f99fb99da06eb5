package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service-account strategy in transaction pool mode: people of group {@code analysts} share the service account
 * {@code analyst_ro} and, with a pool of one server connection, even the same backend session. Each transaction
 * must see its own person in pgwarden.user, pgwarden.subject, pgwarden.groups and application_name, never the
 * person who used the server before. Also the authorization refusals: a person in no group with a service account,
 * and a database the person's groups do not allow.
 *
 * <p>This proxy uses the rule option {@code allow_without_tls: true}, so clients connect without TLS here.
 */
@ExtendWith(LeakCheckExtension.class)
class OidcServiceAccountTransactionIT {

    private static final String SERVICE = "analyst_ro";
    private static final String SERVICE_PASSWORD = "analyst-Pw-3mV8s";
    private static final String IDENTITY_QUERY = "SELECT current_setting('pgwarden.user') || '|' || current_setting('pgwarden.subject')"
            + " || '|' || current_setting('pgwarden.groups') || '|' || current_setting('application_name') || '|' || session_user";

    private static LogCapture log;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static OidcPluginFixture plugin;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SERVICE, SERVICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .database("payroll", EmbeddedPostgres.SUPERUSER)
                .start();
        provider = OidcFixture.start("main");
        plugin = OidcPluginFixture.create();
        proxy = plugin.startProxy("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: oidc, strategy: service-account, allow_without_tls: true }
                pool: { mode: transaction, size: 1 }
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                    strategy: service-account
                    authorization:
                      databases:
                        analysts: [postgres, "reporting_*"]
                        marketing: [postgres]
                    service_accounts:
                      - { group: analysts, user: %s, password: "%s" }
                """.formatted(postgres.port(), provider.issuer(), SERVICE,
                plugin.secretReference("analyst_ro.password", SERVICE_PASSWORD)));
    }

    @AfterEach
    void logsNeverShowATokenOrTheServicePassword() {
        List<String> secrets = new ArrayList<>(provider.issuedTokens());
        secrets.add(SERVICE_PASSWORD);
        log.assertNoneOf(secrets);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, provider, postgres, log);
    }

    private static Connection login(String role, String subject, String... groups) throws Exception {
        String token = provider.token(role).subject(subject).groups(groups).issue();
        return TokenLogins.connect(proxy, "postgres", role, token, "disable");
    }

    @Test
    void interleavedTransactionsOnOneServerEachSeeOnlyTheirOwnPerson() throws Exception {
        String alice = "alice|sub-alice|analysts,team-a|pgwarden:alice|" + SERVICE;
        String bob = "bob|sub-bob|analysts,team-b|pgwarden:bob|" + SERVICE;
        try (Connection a = login("alice", "sub-alice", "analysts", "team-a");
             Connection b = login("bob", "sub-bob", "analysts", "team-b")) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            for (int round = 0; round < 10; round++) {
                assertThat(TokenLogins.query(a, IDENTITY_QUERY)).isEqualTo(alice);
                // Settings a transaction makes itself must not outlive it for the next person either.
                try (Statement statement = a.createStatement()) {
                    statement.execute("SET LOCAL application_name = 'alice-was-here'");
                }
                a.commit();
                assertThat(TokenLogins.query(b, IDENTITY_QUERY)).isEqualTo(bob);
                b.commit();
            }
            try (Connection direct = postgres.superuserConnection(); Statement statement = direct.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + SERVICE + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("both people were served by one server connection").isEqualTo(1);
            }
        }
    }

    @Test
    void concurrentPeopleSharingTheServiceAccountNeverSeeEachOthersIdentity() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (String person : List.of("dave", "erin")) {
                Callable<Integer> work = () -> {
                    String expected = person + "|sub-" + person + "|analysts|pgwarden:" + person + "|" + SERVICE;
                    try (Connection connection = login(person, "sub-" + person, "analysts")) {
                        int checked = 0;
                        for (int i = 0; i < 100; i++) {
                            assertThat(TokenLogins.query(connection, IDENTITY_QUERY)).isEqualTo(expected);
                            checked++;
                        }
                        return checked;
                    }
                };
                results.add(pool.submit(work));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(100);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPersonInNoGroupWithAServiceAccountIsRefused() {
        String token = provider.token("frank").groups("marketing").issue();
        String message = TokenLogins.assertRefused(TokenLogins.refusal(proxy, "postgres", "frank", token, "disable"), "28000");
        assertThat(message).isEqualTo("no service account for the groups of frank (plugins[0].service_accounts)");
    }

    @Test
    void aDatabaseThePersonsGroupsDoNotAllowIsRefused() {
        String token = provider.token("alice").groups("analysts").issue();
        String message = TokenLogins.assertRefused(TokenLogins.refusal(proxy, "payroll", "alice", token, "disable"), "28000");
        assertThat(message).isEqualTo("groups of alice do not allow database \"payroll\" (plugins[0].authorization.databases)");
    }
}
