package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * Brute-force protection per (user, client address): after {@code lockout_after} failures in a row even the right
 * password is refused, exactly like a wrong one, until {@code lockout} has passed since the last failure; other
 * users are not affected; failures are counted in the metrics by method and reason.
 */
@ExtendWith(LeakCheckExtension.class)
class FailureLockoutIT {

    private static final String PAUL = "paul";
    private static final String QUINN = "quinn";
    private static final String ROSE = "rose";
    private static final String PASSWORD = "lockout-Pw-4g6hJ";
    private static final String WRONG_PASSWORD = "wrong-Pw-0p9oI";
    private static final Duration LOCKOUT = Duration.ofSeconds(2);
    private static final Pattern FAILURES = Pattern.compile("(?m)^pgwarden_auth_failures_total\\{([^}]*)} (\\S+)$");
    private static final Pattern SUCCESSES = Pattern.compile("(?m)^pgwarden_auth_successes_total\\{([^}]*)} (\\S+)$");

    private static EmbeddedPostgres postgres;
    private static ScramPluginFixture plugin;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(PAUL, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(QUINN, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(ROSE, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        plugin = ScramPluginFixture.create();
        Map<String, String> userlist = new LinkedHashMap<>();
        for (String user : new String[] {PAUL, QUINN, ROSE}) {
            userlist.put(user, ScramPluginFixture.storedSecret(postgres, user));
        }
        proxy = plugin.startProxy("""
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: scram-sha-256 }
                plugins:
                  - type: scram
                    userlist: "%s"
                    failures: { delay: 10ms, max_delay: 50ms, lockout_after: 3, lockout: %dms }
                """.formatted(postgres.port(), plugin.writeUserlist("userlist.txt", userlist), LOCKOUT.toMillis()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, postgres);
    }

    @Test
    void threeFailuresLockTheUserOutEvenWithTheRightPasswordUntilTheWindowHasPassed() throws Exception {
        assertThat(Logins.sessionUser(url(PAUL, PASSWORD))).isEqualTo(PAUL);
        for (int i = 0; i < 3; i++) {
            assertThat(Logins.refusal(url(PAUL, WRONG_PASSWORD)).getSQLState()).isEqualTo("28P01");
        }

        // Locked out: the right password goes through the whole exchange and is refused with the usual text.
        RawScramLogin.Result locked = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", PAUL, PASSWORD);
        long lastFailure = System.nanoTime();
        assertThat(locked.shape()).containsExactly("R10", "R11", "E");
        assertThat(locked.error().sqlState()).isEqualTo("28P01");
        assertThat(locked.error().message()).isEqualTo("password authentication failed for user \"paul\"");

        // Per user: another user from the same address is not locked out.
        assertThat(Logins.sessionUser(url(QUINN, PASSWORD))).isEqualTo(QUINN);

        // Each attempt while locked out is a failure too, so wait once for the whole window, then try once.
        Thread.sleep(Math.max(0, LOCKOUT.plusMillis(500).toMillis() - Duration.ofNanos(System.nanoTime() - lastFailure).toMillis()));
        assertThat(Logins.sessionUser(url(PAUL, PASSWORD))).isEqualTo(PAUL);

        // The success reset the count: one failure does not lock out again.
        assertThat(Logins.refusal(url(PAUL, WRONG_PASSWORD)).getSQLState()).isEqualTo("28P01");
        assertThat(Logins.sessionUser(url(PAUL, PASSWORD))).isEqualTo(PAUL);
    }

    @Test
    void failuresAreCountedInMetricsByMethodAndReason() throws Exception {
        double wrongBefore = failures("wrong_password");
        double unknownBefore = failures("unknown_user");
        double lockedBefore = failures("locked_out");

        PSQLException wrong = Logins.refusal(url(ROSE, WRONG_PASSWORD));
        assertThat(wrong.getSQLState()).isEqualTo("28P01");
        Logins.refusal(url("nobody_at_all", WRONG_PASSWORD));
        Logins.refusal(url(ROSE, WRONG_PASSWORD));
        Logins.refusal(url(ROSE, WRONG_PASSWORD));
        Logins.refusal(url(ROSE, PASSWORD));

        assertThat(failures("wrong_password")).isGreaterThanOrEqualTo(wrongBefore + 3);
        assertThat(failures("unknown_user")).isGreaterThanOrEqualTo(unknownBefore + 1);
        assertThat(failures("locked_out")).isGreaterThanOrEqualTo(lockedBefore + 1);
        double successesBefore = successes();
        assertThat(Logins.sessionUser(url(QUINN, PASSWORD))).isEqualTo(QUINN);
        assertThat(successes()).isGreaterThanOrEqualTo(successesBefore + 1);
    }

    private static String url(String user, String password) {
        return Logins.url(proxy, "postgres", user, password, "");
    }

    /** The failure counter for method scram-sha-256 and {@code reason}; 0 while it does not exist yet. */
    private static double failures(String reason) {
        return sum(FAILURES, "reason=\"" + reason + "\"");
    }

    private static double successes() {
        return sum(SUCCESSES, "method=\"scram-sha-256\"");
    }

    private static double sum(Pattern metric, String label) {
        String text = proxy.server().metricsText();
        Matcher matcher = metric.matcher(text);
        double total = 0;
        while (matcher.find()) {
            String labels = matcher.group(1);
            if (labels.contains("method=\"scram-sha-256\"") && labels.contains(label)) {
                total += Double.parseDouble(matcher.group(2));
            }
        }
        return total;
    }
}
