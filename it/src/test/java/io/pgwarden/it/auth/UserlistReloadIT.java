package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * The userlist file is read again when it changes, without a restart: a rotated password (ALTER ROLE on the server,
 * the new verifier in the file) works and the old one stops working; a user added to the file can log in; a
 * broken file keeps the entries that were good.
 */
@ExtendWith(LeakCheckExtension.class)
class UserlistReloadIT {

    private static final String MIA = "mia";
    private static final String NOAH = "noah";
    private static final String OLIVIA = "olivia";
    private static final String PASSWORD = "reload-Pw-8b2nM";
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(15);

    private static LogCapture log;
    private static EmbeddedPostgres postgres;
    private static ScramPluginFixture plugin;
    private static ProxyFixture proxy;
    private static Path userlist;
    /** What the file holds, rewritten whole by each change. */
    private static final Map<String, String> ENTRIES = new LinkedHashMap<>();
    private static int version;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(MIA, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(NOAH, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        plugin = ScramPluginFixture.create();
        ENTRIES.put(MIA, ScramPluginFixture.storedSecret(postgres, MIA));
        ENTRIES.put(NOAH, ScramPluginFixture.storedSecret(postgres, NOAH));
        userlist = plugin.writeUserlist("userlist.txt", ENTRIES);
        proxy = plugin.startProxy("""
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: scram-sha-256 }
                plugins:
                  - type: scram
                    %s
                    userlist: "%s"
                    userlist_reload_interval: 100ms
                """.formatted(postgres.port(), ScramPluginFixture.QUICK_FAILURES, userlist));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, postgres, log);
    }

    @Test
    void rotatedPasswordWorksAfterTheFileChangesAndTheOldOneIsRefused() throws Exception {
        String newPassword = "rotated-" + PASSWORD;
        assertThat(Logins.sessionUser(Logins.url(proxy, "postgres", MIA, PASSWORD, ""))).isEqualTo(MIA);

        postgres.execute("postgres", "SET password_encryption = 'scram-sha-256'", "ALTER ROLE " + MIA + " PASSWORD '" + newPassword + "'");
        ENTRIES.put(MIA, ScramPluginFixture.storedSecret(postgres, MIA));
        rewrite(goodContent());

        Await.until("a login with the rotated password", RELOAD_WAIT,
                () -> Logins.logsIn(Logins.url(proxy, "postgres", MIA, newPassword, "")));
        RawScramLogin.Result old = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", MIA, PASSWORD);
        assertThat(old.proofAccepted()).as("the proxy no longer accepts the old password").isFalse();
        assertThat(old.error().sqlState()).isEqualTo("28P01");
        assertThat(Logins.sessionUser(Logins.url(proxy, "postgres", MIA, newPassword, ""))).isEqualTo(MIA);
    }

    @Test
    void userAddedToTheFileCanLogInWithoutARestart() throws Exception {
        postgres.execute("postgres", "SET password_encryption = 'scram-sha-256'", "CREATE ROLE " + OLIVIA + " LOGIN PASSWORD '" + PASSWORD + "'");
        PSQLException before = Logins.refusal(Logins.url(proxy, "postgres", OLIVIA, PASSWORD, ""));
        assertThat(before.getSQLState()).isEqualTo("28P01");

        ENTRIES.put(OLIVIA, ScramPluginFixture.storedSecret(postgres, OLIVIA));
        rewrite(goodContent());
        Await.until("a login of the added user", RELOAD_WAIT,
                () -> Logins.logsIn(Logins.url(proxy, "postgres", OLIVIA, PASSWORD, "")));
    }

    @Test
    void brokenFileOnReloadKeepsTheOldEntriesAndNamesTheLineButNotTheSecret() throws Exception {
        String secretFragment = "half-written-secret-Zq81";
        try {
            rewrite(ScramPluginFixture.userlistLine(MIA, ENTRIES.get(MIA)) + "\n\"" + NOAH + "\" \"" + secretFragment + "\n");
            Pattern namesTheLine = Pattern.compile("userlist\\.txt\\D{0,10}2\\b");
            Await.until("an ERROR naming userlist.txt line 2", RELOAD_WAIT,
                    () -> log.lines().stream().anyMatch(line -> line.contains(" ERROR ") && namesTheLine.matcher(line).find()));
            assertThat(Logins.sessionUser(Logins.url(proxy, "postgres", NOAH, PASSWORD, ""))).as("the old entry is kept").isEqualTo(NOAH);
            assertThat(log.lines()).noneSatisfy(line -> assertThat(line).contains(secretFragment));
        } finally {
            rewrite(goodContent());
        }
    }

    private static String goodContent() {
        StringBuilder text = new StringBuilder("# version ").append(++version).append('\n');
        ENTRIES.forEach((user, secret) -> text.append(ScramPluginFixture.userlistLine(user, secret)).append('\n'));
        return text.toString();
    }

    /** Replaces the file at once, as configuration management does: the proxy never sees half a file. */
    private static void rewrite(String content) throws IOException {
        Path next = userlist.resolveSibling("userlist.txt.next");
        Files.writeString(next, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
        Files.move(next, userlist, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
