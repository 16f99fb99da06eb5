package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * {@code limits} of the oidc plugin through pgwarden to a real PostgreSQL, with tokens of a real OIDC provider and
 * pgjdbc or the raw protocol client: a person may hold two sessions, the people of group {@code analysts} three
 * together. The chain puts a test gate ({@link AuthGate}) before and after the oidc plugin, so that sessions can be
 * refused after the oidc plugin took their slots, or lose their client while a plugin's decision is pending.
 *
 * <p>The rule allows clients without TLS ({@code allow_without_tls: true}), so the raw client can log in plainly.
 * Every test uses people of its own, and leaves every session closed.
 */
@ExtendWith(LeakCheckExtension.class)
class ConnectionLimitsIT {

    private static final String SERVICE = "limits_app";
    private static final String SERVICE_PASSWORD = "limits-Pw-7qT2x";
    private static final int PER_PERSON = 2;
    private static final int PER_GROUP = 3;
    private static final Duration WAIT = Duration.ofSeconds(20);

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
                .start();
        provider = OidcFixture.start("limits");
        plugin = OidcPluginFixture.create();
        proxy = plugin.startProxy("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: oidc, strategy: service-account, allow_without_tls: true }
                pool: { mode: transaction, size: 2 }
                plugins:
                  - type: test-auth-gate
                    name: before
                    hold: 1500ms
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                    strategy: service-account
                    service_accounts:
                      - { default: true, user: %s, password: "%s" }
                    limits:
                      max_connections_per_person: %d
                      max_connections_per_group:
                        analysts: %d
                  - type: test-auth-gate
                    name: after
                    hold: 1500ms
                """.formatted(postgres.port(), provider.issuer(), SERVICE,
                plugin.secretReference("limits_app.password", SERVICE_PASSWORD), PER_PERSON, PER_GROUP));
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

    private static String token(String person, String... groups) {
        return provider.token(person).subject("sub-" + person).groups(groups).issue();
    }

    private static Connection login(String person, String... groups) throws SQLException {
        return TokenLogins.connect(proxy, "postgres", person, token(person, groups), "disable");
    }

    /**
     * Logs in once a slot is free: a closed session gives its slot back when the proxy has seen it end, which is
     * after the client's close returns. Refused with 53300 past {@link #WAIT}, the slot never came back.
     */
    private static Connection loginOnceFree(String person, String... groups) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return login(person, groups);
            } catch (PSQLException e) {
                if (!"53300".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static Connection loginWithApplication(String person, String application) throws SQLException {
        return TokenLogins.connect(proxy, "postgres", person, token(person), "disable", Map.of("ApplicationName", application));
    }

    private static String refusedWith53300(String person, String... groups) {
        return TokenLogins.assertRefused(TokenLogins.refusal(proxy, "postgres", person, token(person, groups), "disable"), "53300");
    }

    private static void closeAll(List<Connection> connections) throws SQLException {
        for (Connection connection : connections) {
            connection.close();
        }
        connections.clear();
    }

    /** The person gets exactly {@link #PER_PERSON} sessions, no more: no slot of theirs leaked. */
    private static void assertTheLimitStillAdmitsTwoSessionsOf(String person) throws SQLException, InterruptedException {
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_PERSON; i++) {
                open.add(loginOnceFree(person));
                assertThat(TokenLogins.query(open.get(i), "SELECT current_setting('pgwarden.user')")).isEqualTo(person);
            }
            assertThat(refusedWith53300(person))
                    .isEqualTo("too many connections for " + person + "@example.com: max_connections_per_person is " + PER_PERSON);
        } finally {
            closeAll(open);
        }
    }

    /** Starts a raw login with application_name {@code application}: startup and the token, nothing read after that. */
    private static RawPgClient rawLoginUntilPassword(String person, String application) throws Exception {
        RawPgClient client = RawPgClient.connect(proxy.host(), proxy.port(), WAIT);
        client.sendStartup(Map.of("user", person, "database", "postgres", "application_name", application));
        RawMessage request = client.readMessage();
        assertThat(request.type()).as("an authentication request: %s", request).isEqualTo('R');
        client.sendPassword(token(person));
        return client;
    }

    /** Waits for the gate's holds to complete; the limit check that follows waits for the slots themselves. */
    private static void awaitReleased(String gate, int released) throws InterruptedException {
        Await.until(gate + " holds released", WAIT, () -> AuthGate.count(gate + " released") >= released);
    }

    @Test
    void theThirdSessionOfAPersonIsRefusedWhileOthersConnectAndClosingOneLetsTheNextIn() throws Exception {
        List<Connection> alice = new ArrayList<>();
        try (Connection bob = login("bob")) {
            alice.add(login("alice"));
            alice.add(login("alice"));

            String message = refusedWith53300("alice");

            assertThat(message).isEqualTo("too many connections for alice@example.com: max_connections_per_person is 2");
            try (Connection carol = login("carol"); Connection bob2 = login("bob")) {
                assertThat(TokenLogins.query(carol, "SELECT current_setting('pgwarden.user')")).isEqualTo("carol");
                assertThat(bob2.isValid(5)).isTrue();
            }
            alice.remove(0).close();
            alice.add(loginOnceFree("alice"));
            assertThat(TokenLogins.query(alice.get(1), "SELECT current_setting('pgwarden.user')")).isEqualTo("alice");
            assertThat(bob.isValid(5)).isTrue();
        } finally {
            closeAll(alice);
        }
    }

    @Test
    void theGroupLimitCountsTheSessionsOfAllItsPeople() throws Exception {
        List<Connection> analysts = new ArrayList<>();
        try {
            analysts.add(login("dana", "analysts"));
            analysts.add(login("dana", "analysts", "staff"));
            Connection erik = login("erik", "analysts");
            analysts.add(erik);

            assertThat(refusedWith53300("fay", "staff", "analysts"))
                    .isEqualTo("too many connections for group analysts: max_connections_per_group is 3");
            try (Connection fayWithoutTheGroup = login("fay", "staff")) {
                assertThat(fayWithoutTheGroup.isValid(5)).isTrue();
            }

            analysts.remove(erik);
            erik.close();
            analysts.add(loginOnceFree("fay", "analysts"));
        } finally {
            closeAll(analysts);
        }
    }

    @Test
    void sessionsRefusedByALaterCheckAfterTakingTheirSlotGiveItBack() throws Exception {
        for (int i = 0; i < 3 * PER_PERSON; i++) {
            Throwable refused = catchThrowable(() -> loginWithApplication("gus", "after-refuse").close());
            assertThat(refused).isInstanceOf(PSQLException.class);
            assertThat(TokenLogins.assertRefused((PSQLException) refused, "28000")).isEqualTo("refused by the test gate after");
        }

        assertTheLimitStillAdmitsTwoSessionsOf("gus");
    }

    @Test
    void clientsThatVanishWhileAPluginDecidesAfterTheSlotWasTakenGiveItBack() throws Exception {
        int released = AuthGate.count("after released");
        for (int round = 0; round < 3; round++) {
            List<RawPgClient> vanishing = new ArrayList<>();
            for (int i = 0; i < PER_PERSON; i++) {
                vanishing.add(rawLoginUntilPassword("hana", "after-hold"));
            }
            int held = released + (round + 1) * PER_PERSON;
            Await.until("both logins held after the oidc plugin", WAIT, () -> AuthGate.count("after held") >= held);
            for (RawPgClient client : vanishing) {
                client.close();
            }
            awaitReleased("after", held);
        }

        assertTheLimitStillAdmitsTwoSessionsOf("hana");
    }

    @Test
    void clientsThatVanishWhileAPluginBeforeTheLimitsDecidesTakeNoSlot() throws Exception {
        int held = AuthGate.count("before held");
        List<RawPgClient> vanishing = new ArrayList<>();
        try {
            for (int i = 0; i < 3 * PER_PERSON; i++) {
                vanishing.add(rawLoginUntilPassword("ivan", "before-hold"));
            }
            Await.until("every login held before the oidc plugin", WAIT,
                    () -> AuthGate.count("before held") >= held + 3 * PER_PERSON);
        } finally {
            for (RawPgClient client : vanishing) {
                client.close();
            }
        }
        awaitReleased("before", held + 3 * PER_PERSON);

        assertTheLimitStillAdmitsTwoSessionsOf("ivan");
    }

    @Test
    void clientsThatVanishRightAfterSendingTheirTokenTakeNoSlot() throws Exception {
        for (int i = 0; i < 3 * PER_PERSON; i++) {
            rawLoginUntilPassword("jo", "").close();
        }

        assertTheLimitStillAdmitsTwoSessionsOf("jo");
    }
}
