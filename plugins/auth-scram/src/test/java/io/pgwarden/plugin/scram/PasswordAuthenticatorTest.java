package io.pgwarden.plugin.scram;

import static io.pgwarden.plugin.scram.ScramAuthenticatorTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.scram.Md5Password;
import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PasswordAuthenticatorTest {

    private static final String PASSWORD = "s3cret pässword";

    private final TestResources test = new TestResources();
    private final PasswordAuthenticator password = new PasswordAuthenticator(test.resources);

    @Test
    void withoutTlsTheClientIsRefusedBeforeItIsAskedAnything() {
        test.source.put("alice", StoredSecret.parse(PASSWORD, 4096));
        FakeExchange exchange = new FakeExchange().cleartext(PASSWORD);

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(password, exchange);

        assertThat(exchange.requests()).isEmpty();
        assertThat(test.source.lookups).isEmpty();
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).startsWith("pgwarden refuses cleartext password authentication without SSL")
                .contains("sslmode=require");
        assertThat(test.metrics.failures("password", "tls_required")).isEqualTo(1);
    }

    @Test
    void allowWithoutTlsAsksWithoutTls() {
        test.source.put("alice", StoredSecret.parse(PASSWORD, 4096));
        FakeExchange exchange = new FakeExchange().option("allow_without_tls", "true").cleartext(PASSWORD);

        assertThat(run(password, exchange)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(exchange.requests()).containsExactly("Cleartext");
    }

    @Test
    void scramEntryIsCheckedOnTheBlockingExecutorAndLogsInWithThePassword() {
        test.source.put("alice", new StoredSecret.Scram(ScramVerifier.generate(PASSWORD, 4096)));
        FakeExchange exchange = new FakeExchange().tls().cleartext(PASSWORD);

        AuthOutcome.Success success = (AuthOutcome.Success) run(password, exchange);

        assertThat(test.blockingTasks).hasValue(1);
        assertThat(success.login().credential()).isEqualTo(Credential.password(PASSWORD));
        assertThat(success.identity().method()).isEqualTo("password");
        assertThat(test.metrics.successes("password")).isEqualTo(1);
    }

    @Test
    void md5EntryAcceptsTheRightPasswordAndRefusesAWrongOne() {
        test.source.put("alice", new StoredSecret.Md5(Md5Password.hash("alice", PASSWORD)));

        assertThat(run(password, new FakeExchange().tls().cleartext(PASSWORD))).isInstanceOf(AuthOutcome.Success.class);
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(password, new FakeExchange().tls().cleartext("nope"));
        assertThat(failure.sqlState()).isEqualTo("28P01");
        assertThat(test.metrics.failures("password", "wrong_password")).isEqualTo(1);
    }

    @Test
    void plaintextEntryAcceptsTheRightPasswordAndRefusesAWrongOne() {
        test.source.put("alice", StoredSecret.parse(PASSWORD, 4096));

        assertThat(run(password, new FakeExchange().tls().cleartext(PASSWORD))).isInstanceOf(AuthOutcome.Success.class);
        assertThat(run(password, new FakeExchange().tls().cleartext(PASSWORD + "x"))).isInstanceOf(AuthOutcome.Failure.class);
        assertThat(run(password, new FakeExchange().tls().cleartext(""))).isInstanceOf(AuthOutcome.Failure.class);
    }

    @Test
    void scramEntryRefusesAWrongPassword() {
        test.source.put("alice", new StoredSecret.Scram(ScramVerifier.generate(PASSWORD, 4096)));
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(password, new FakeExchange().tls().cleartext("nope"));
        assertThat(failure.message()).isNull();
    }

    @Test
    void unknownUserIsAskedAndCheckedLikeAKnownOneThenGetsTheSameFailure() {
        test.source.put("alice", new StoredSecret.Scram(ScramVerifier.generate(PASSWORD, 4096)));
        FakeExchange known = new FakeExchange().tls().cleartext("nope");
        FakeExchange unknown = new FakeExchange().user("mallory").tls().cleartext("nope");

        AuthOutcome.Failure knownFailure = (AuthOutcome.Failure) run(password, known);
        AuthOutcome.Failure unknownFailure = (AuthOutcome.Failure) run(password, unknown);

        assertThat(unknown.requests()).isEqualTo(known.requests()).containsExactly("Cleartext");
        assertThat(unknownFailure.sqlState()).isEqualTo(knownFailure.sqlState()).isEqualTo("28P01");
        assertThat(unknownFailure.message()).isEqualTo(knownFailure.message()).isNull();
        assertThat(test.blockingTasks).hasValue(2);
        assertThat(test.metrics.failures("password", "unknown_user")).isEqualTo(1);
    }

    @Test
    void lookupErrorIsReportedAs08006() {
        test.source.failure = new IllegalStateException("database is down");
        FakeExchange exchange = new FakeExchange().tls().cleartext(PASSWORD);
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(password, exchange);
        assertThat(failure.sqlState()).isEqualTo("08006");
        assertThat(exchange.requests()).isEmpty();
    }

    @Test
    void checkRuleOptionsAcceptsAllowWithoutTlsAndRefusesTheRest() {
        password.checkRuleOptions(Map.of("allow_without_tls", "false"));
        assertThatThrownBy(() -> password.checkRuleOptions(Map.of("allow_without_tls", "maybe")))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("allow_without_tls"));
        assertThatThrownBy(() -> password.checkRuleOptions(Map.of("channel_binding", "require")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("channel_binding: unknown option for method password; known: allow_without_tls");
    }
}
