package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.scram.Md5Password;
import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.AuthExchange.SaslInitial;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ScramAuthenticatorTest {

    private static final String PASSWORD = "correct horse";
    private static final ScramVerifier VERIFIER = ScramVerifier.generate(PASSWORD, 4096);
    private static final String MD5_HASH = Md5Password.hash("alice", PASSWORD);
    private static final String STANDARD = "28P01";

    private final TestResources test = new TestResources();
    private final ScramAuthenticator scram = ScramAuthenticator.scram(test.resources);

    @Test
    void correctPasswordLogsInAsTheClientsOwnUserWithTheRecoveredScramKeys() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        ScramTestClient client = ScramTestClient.plain(PASSWORD);
        FakeExchange exchange = new FakeExchange().scram("SCRAM-SHA-256", client);

        AuthOutcome.Success success = (AuthOutcome.Success) run(scram, exchange);

        assertThat(exchange.requests()).containsExactly("SASL [SCRAM-SHA-256]", "SASLContinue", "SASLFinal");
        assertThat(client.serverFinalValid(exchange.saslFinal)).isTrue();
        assertThat(success.identity().databaseRole()).isEqualTo("alice");
        assertThat(success.identity().method()).isEqualTo("scram-sha-256");
        BackendLogin login = success.login();
        assertThat(login.user()).isEqualTo("alice");
        Credential.ScramKeys keys = (Credential.ScramKeys) login.credential();
        assertThat(VERIFIER.matchesClientKey(keys.clientKey())).isTrue();
        assertThat(keys.serverKey()).isEqualTo(VERIFIER.serverKey());
        assertThat(test.metrics.successes("scram-sha-256")).isEqualTo(1);
        assertThat(test.source.lookups).containsExactly("pg/appdb/alice");
    }

    @Test
    void serverFirstUsesTheVerifiersSaltAndIterations() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        run(scram, exchange);
        assertThat(exchange.challengeText(0)).endsWith(",s=" + Base64.getEncoder().encodeToString(VERIFIER.salt()) + ",i=4096");
    }

    @Test
    void plaintextEntryLogsInWithThePassword() {
        test.source.put("alice", StoredSecret.parse(PASSWORD, 4096));
        FakeExchange exchange = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));

        AuthOutcome.Success success = (AuthOutcome.Success) run(scram, exchange);

        assertThat(success.login().credential()).isEqualTo(Credential.password(PASSWORD));
    }

    @Test
    void fixedLoginOfTheRuleIsLeftAlone() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        exchange.defaultLogin = new BackendLogin("pg", "appdb", "service", Credential.password("svc"), Map.of(), List.of());

        AuthOutcome.Success success = (AuthOutcome.Success) run(scram, exchange);

        assertThat(success.login()).isNull();
    }

    @Test
    void wrongPasswordFailsWithTheStandardTextAfterTheWholeExchangeAndNoServerFinal() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain("wrong"));

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(scram, exchange);

        assertThat(exchange.requests()).containsExactly("SASL [SCRAM-SHA-256]", "SASLContinue");
        assertThat(failure.sqlState()).isEqualTo(STANDARD);
        assertThat(failure.message()).isNull();
        assertThat(test.metrics.failures("scram-sha-256", "wrong_password")).isEqualTo(1);
        assertThat(test.delays).containsExactly(Duration.ofMillis(200));
    }

    @Test
    void unknownUserGoesThroughTheSameStepsWithTheSameMockSaltEachTimeAndTheSameFailure() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange known = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain("wrong"));
        AuthOutcome.Failure knownFailure = (AuthOutcome.Failure) run(scram, known);

        FakeExchange unknown1 = new FakeExchange().user("mallory").scram("SCRAM-SHA-256", ScramTestClient.plain("wrong"));
        FakeExchange unknown2 = new FakeExchange().user("mallory").scram("SCRAM-SHA-256", ScramTestClient.plain("other"));
        FakeExchange otherUnknown = new FakeExchange().user("trudy").scram("SCRAM-SHA-256", ScramTestClient.plain("wrong"));
        AuthOutcome.Failure failure1 = (AuthOutcome.Failure) run(scram, unknown1);
        AuthOutcome.Failure failure2 = (AuthOutcome.Failure) run(scram, unknown2);
        run(scram, otherUnknown);

        assertThat(unknown1.requests()).isEqualTo(known.requests());
        assertThat(failure1.sqlState()).isEqualTo(knownFailure.sqlState());
        assertThat(failure1.message()).isEqualTo(knownFailure.message()).isNull();
        assertThat(failure2.sqlState()).isEqualTo(STANDARD);
        String salt1 = saltOf(unknown1.challengeText(0));
        assertThat(saltOf(unknown2.challengeText(0))).isEqualTo(salt1);
        assertThat(saltOf(otherUnknown.challengeText(0))).isNotEqualTo(salt1);
        assertThat(Base64.getDecoder().decode(salt1)).isEqualTo(test.mocks.salt("mallory")).hasSize(16);
        assertThat(unknown1.challengeText(0)).endsWith(",i=4096");
        assertThat(test.metrics.failures("scram-sha-256", "unknown_user")).isEqualTo(3);
    }

    @Test
    void tlsClientWithChannelBindingPreferIsOfferedPlusFirstAndMayBindToTheProxysCertificate() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().tls()
                .scram("SCRAM-SHA-256-PLUS", ScramTestClient.bound(PASSWORD, FakeExchange.CERTIFICATE_HASH));

        assertThat(run(scram, exchange)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(exchange.requests().get(0)).isEqualTo("SASL [SCRAM-SHA-256-PLUS, SCRAM-SHA-256]");
    }

    @Test
    void tlsClientWithChannelBindingPreferMayUsePlainScram() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().tls().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        assertThat(run(scram, exchange)).isInstanceOf(AuthOutcome.Success.class);
    }

    @Test
    void channelBindingRequireOffersOnlyPlus() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().tls().option("channel_binding", "require")
                .scram("SCRAM-SHA-256-PLUS", ScramTestClient.bound(PASSWORD, FakeExchange.CERTIFICATE_HASH));

        assertThat(run(scram, exchange)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(exchange.requests().get(0)).isEqualTo("SASL [SCRAM-SHA-256-PLUS]");
    }

    @Test
    void channelBindingRequireWithoutTlsIsRefusedBeforeAnythingIsAsked() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().option("channel_binding", "require");

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(scram, exchange);

        assertThat(exchange.requests()).isEmpty();
        assertThat(test.source.lookups).isEmpty();
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("channel binding is required, but the connection does not use SSL");
        assertThat(test.metrics.failures("scram-sha-256", "channel_binding")).isEqualTo(1);
    }

    @Test
    void channelBindingDisableOffersOnlyScramOnTlsAndAcceptsTheYFlag() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().tls().option("channel_binding", "disable")
                .scram("SCRAM-SHA-256", new ScramTestClient(PASSWORD, "y,,", null, "nonce"));

        assertThat(run(scram, exchange)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(exchange.requests().get(0)).isEqualTo("SASL [SCRAM-SHA-256]");
    }

    @Test
    void yFlagWhilePlusWasOfferedOnTlsIsADowngradeAttack() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().tls().scram("SCRAM-SHA-256", new ScramTestClient(PASSWORD, "y,,", null, "nonce"));

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(scram, exchange);

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("SCRAM channel binding negotiation error");
        assertThat(exchange.requests()).containsExactly("SASL [SCRAM-SHA-256-PLUS, SCRAM-SHA-256]");
        assertThat(test.metrics.failures("scram-sha-256", "channel_binding")).isEqualTo(1);
    }

    @Test
    void channelBindingDataOfAnotherCertificateFailsTheCheck() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        byte[] relayHash = "the relay's certificate hash....".getBytes(StandardCharsets.US_ASCII);
        FakeExchange exchange = new FakeExchange().tls().scram("SCRAM-SHA-256-PLUS", ScramTestClient.bound(PASSWORD, relayHash));

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(scram, exchange);

        assertThat(failure.sqlState()).isEqualTo("08P01");
        assertThat(failure.message()).isEqualTo("SCRAM channel binding check failed");
        assertThat(exchange.saslFinal).isNull();
    }

    @Test
    void authorizationIdentityIsAProtocolViolationCountedAsProtocol() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().scramMessages("SCRAM-SHA-256", "n,a=admin,n=,r=abc", "unused");

        assertThatThrownBy(() -> run(scram, exchange))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(AuthProtocolException.class)
                .hasMessage("client uses authorization identity, but it is not supported");
        assertThat(test.metrics.failures("scram-sha-256", "protocol")).isEqualTo(1);
        assertThat(test.throttle.tracked()).isZero();
    }

    @Test
    void malformedClientFinalIsAProtocolViolation() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().scramMessages("SCRAM-SHA-256", "n,,n=,r=abc", "c=biws,p=AAAA");

        assertThatThrownBy(() -> run(scram, exchange)).cause().isInstanceOf(AuthProtocolException.class);
        assertThat(test.metrics.failures("scram-sha-256", "protocol")).isEqualTo(1);
    }

    @Test
    void md5HashEntryCannotLogInWithScramAndLooksLikeAWrongPassword() {
        test.source.put("alice", new StoredSecret.Md5(MD5_HASH));
        FakeExchange exchange = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(scram, exchange);

        assertThat(exchange.requests()).containsExactly("SASL [SCRAM-SHA-256]", "SASLContinue");
        assertThat(saltOf(exchange.challengeText(0))).isEqualTo(Base64.getEncoder().encodeToString(test.mocks.salt("alice")));
        assertThat(failure.sqlState()).isEqualTo(STANDARD);
        assertThat(failure.logReason()).contains("valid SCRAM secret");
        assertThat(test.metrics.failures("scram-sha-256", "no_usable_secret")).isEqualTo(1);
    }

    @Test
    void md5MethodWithMd5DisabledUsesScramAndRefusesMd5Entries() {
        ScramAuthenticator md5 = ScramAuthenticator.md5(false, "plugins[0].md5", test.resources);
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        test.source.put("bob", new StoredSecret.Md5(Md5Password.hash("bob", PASSWORD)));

        FakeExchange alice = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        assertThat(run(md5, alice)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(alice.requests()).doesNotContain("MD5");

        FakeExchange bob = new FakeExchange().user("bob").scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(md5, bob);
        assertThat(bob.requests()).containsExactly("SASL [SCRAM-SHA-256]", "SASLContinue");
        assertThat(failure.sqlState()).isEqualTo(STANDARD);
        assertThat(failure.logReason()).isEqualTo("only an md5 hash is stored and md5 is disabled (plugins[0].md5)");
        assertThat(test.metrics.failures("md5", "no_usable_secret")).isEqualTo(1);
    }

    @Test
    void md5MethodWithMd5EnabledChallengesMd5EntriesAndLogsInWithTheHash() {
        ScramAuthenticator md5 = ScramAuthenticator.md5(true, "plugins[0].md5", test.resources);
        test.source.put("alice", new StoredSecret.Md5(MD5_HASH));
        FakeExchange exchange = new FakeExchange();
        exchange.onMd5 = salt -> Md5Password.answer("alice", PASSWORD, salt).getBytes(StandardCharsets.US_ASCII);

        AuthOutcome.Success success = (AuthOutcome.Success) run(md5, exchange);

        assertThat(exchange.requests()).containsExactly("MD5");
        assertThat(exchange.md5Salt).hasSize(4);
        assertThat(success.login().credential()).isEqualTo(new Credential.Md5Hash(MD5_HASH));
        assertThat(success.identity().method()).isEqualTo("md5");
    }

    @Test
    void md5MethodUnderChannelBindingRequireNeverSendsAnUnboundMd5Challenge() {
        ScramAuthenticator md5 = ScramAuthenticator.md5(true, "plugins[0].md5", test.resources);
        test.source.put("alice", StoredSecret.parse(PASSWORD, 4096));
        test.source.put("bob", new StoredSecret.Md5(Md5Password.hash("bob", PASSWORD)));

        FakeExchange alice = new FakeExchange().tls().option("channel_binding", "require")
                .scram("SCRAM-SHA-256-PLUS", ScramTestClient.bound(PASSWORD, FakeExchange.CERTIFICATE_HASH));
        assertThat(run(md5, alice)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(alice.requests()).containsExactly("SASL [SCRAM-SHA-256-PLUS]", "SASLContinue", "SASLFinal");

        FakeExchange bob = new FakeExchange().user("bob").tls().option("channel_binding", "require")
                .scram("SCRAM-SHA-256-PLUS", ScramTestClient.bound(PASSWORD, FakeExchange.CERTIFICATE_HASH));
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(md5, bob);
        assertThat(bob.requests()).doesNotContain("MD5");
        assertThat(failure.sqlState()).isEqualTo(STANDARD);
        assertThat(failure.logReason()).isEqualTo("only an md5 hash is stored and the rule requires channel binding, "
                + "which md5 cannot give");
    }

    @Test
    void md5MethodWithMd5EnabledChallengesPlaintextEntriesAndLogsInWithThePassword() {
        ScramAuthenticator md5 = ScramAuthenticator.md5(true, "plugins[0].md5", test.resources);
        test.source.put("alice", StoredSecret.parse(PASSWORD, 4096));
        FakeExchange exchange = new FakeExchange();
        exchange.onMd5 = salt -> Md5Password.answer("alice", PASSWORD, salt).getBytes(StandardCharsets.US_ASCII);

        AuthOutcome.Success success = (AuthOutcome.Success) run(md5, exchange);

        assertThat(success.login().credential()).isEqualTo(Credential.password(PASSWORD));
    }

    @Test
    void md5MethodWithMd5EnabledRefusesAWrongMd5Answer() {
        ScramAuthenticator md5 = ScramAuthenticator.md5(true, "plugins[0].md5", test.resources);
        test.source.put("alice", new StoredSecret.Md5(MD5_HASH));
        FakeExchange exchange = new FakeExchange();
        exchange.onMd5 = salt -> Md5Password.answer("alice", "wrong", salt).getBytes(StandardCharsets.US_ASCII);

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(md5, exchange);

        assertThat(failure.sqlState()).isEqualTo(STANDARD);
        assertThat(test.metrics.failures("md5", "wrong_password")).isEqualTo(1);
    }

    @Test
    void md5MethodWithMd5EnabledUsesScramForScramEntriesAndUnknownUsers() {
        ScramAuthenticator md5 = ScramAuthenticator.md5(true, "plugins[0].md5", test.resources);
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));

        FakeExchange alice = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        assertThat(run(md5, alice)).isInstanceOf(AuthOutcome.Success.class);

        FakeExchange nobody = new FakeExchange().user("nobody").scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        assertThat(run(md5, nobody)).isInstanceOf(AuthOutcome.Failure.class);
        assertThat(nobody.requests()).containsExactly("SASL [SCRAM-SHA-256]", "SASLContinue");
    }

    @Test
    void lookupErrorIsReportedAs08006BeforeAnythingIsAsked() {
        test.source.failure = new IllegalStateException("connection refused");
        FakeExchange exchange = new FakeExchange();

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(scram, exchange);

        assertThat(exchange.requests()).isEmpty();
        assertThat(failure.sqlState()).isEqualTo("08006");
        assertThat(failure.message()).isEqualTo("could not look up the credentials of user \"alice\"");
        assertThat(test.metrics.failures("scram-sha-256", "lookup_error")).isEqualTo(1);
        assertThat(test.logger.lines()).anySatisfy(line -> assertThat(line).contains("connection refused"));
    }

    @Test
    void lockedOutClientFailsEvenWithTheRightPasswordAfterAFullExchangeUntilTheWindowPasses() {
        TestResources locking = new TestResources(
                new FailureThrottle.Settings(Duration.ofMillis(100), Duration.ofSeconds(1), 3, Duration.ofMinutes(5), 100));
        ScramAuthenticator authenticator = ScramAuthenticator.scram(locking.resources);
        locking.source.put("alice", new StoredSecret.Scram(VERIFIER));
        for (int i = 0; i < 3; i++) {
            run(authenticator, new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain("guess" + i)));
        }
        assertThat(locking.delays).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));

        FakeExchange right = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator, right);
        assertThat(right.requests()).containsExactly("SASL [SCRAM-SHA-256]", "SASLContinue");
        assertThat(failure.sqlState()).isEqualTo(STANDARD);
        assertThat(failure.message()).isNull();
        assertThat(failure.logReason()).isEqualTo("locked out");
        assertThat(locking.metrics.failures("scram-sha-256", "locked_out")).isEqualTo(1);

        locking.clock.advance(Duration.ofMinutes(5));
        assertThat(run(authenticator, new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD))))
                .isInstanceOf(AuthOutcome.Success.class);
    }

    @Test
    void failuresOfOneAddressDoNotLockOutAnother() {
        TestResources locking = new TestResources(
                new FailureThrottle.Settings(Duration.ZERO, Duration.ZERO, 1, Duration.ofMinutes(5), 100));
        ScramAuthenticator authenticator = ScramAuthenticator.scram(locking.resources);
        locking.source.put("alice", new StoredSecret.Scram(VERIFIER));
        run(authenticator, new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain("guess")));

        FakeExchange elsewhere = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain(PASSWORD));
        elsewhere.address = "198.51.100.9";
        assertThat(run(authenticator, elsewhere)).isInstanceOf(AuthOutcome.Success.class);
    }

    @Test
    void logsNeverContainThePasswordOrTheProof() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange().scram("SCRAM-SHA-256", ScramTestClient.plain("Tr0ub4dor&3"));
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(scram, exchange);
        assertThat(failure.logReason()).doesNotContain("Tr0ub4dor").doesNotContain("p=");
        assertThat(test.logger.lines()).isNotEmpty()
                .allSatisfy(line -> assertThat(line).doesNotContain("p=").doesNotContain("Tr0ub4dor").doesNotContain(PASSWORD));
    }

    @Test
    void checkRuleOptionsAcceptsChannelBindingAndRefusesTheRest() {
        scram.checkRuleOptions(Map.of());
        scram.checkRuleOptions(Map.of("channel_binding", "require"));
        assertThatThrownBy(() -> scram.checkRuleOptions(Map.of("channel_binding", "sometimes")))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("channel_binding"))
                .hasMessageContaining("expected prefer, require or disable");
        assertThatThrownBy(() -> ScramAuthenticator.md5(true, "x", test.resources).checkRuleOptions(Map.of("allow_without_tls", "true")))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("allow_without_tls"))
                .hasMessageContaining("unknown option for method md5; known: channel_binding");
    }

    @Test
    void anInitialResponseMissingIsAProtocolViolation() {
        test.source.put("alice", new StoredSecret.Scram(VERIFIER));
        FakeExchange exchange = new FakeExchange();
        exchange.onSaslStart = mechanisms -> new SaslInitial("SCRAM-SHA-256", null);
        assertThatThrownBy(() -> run(scram, exchange)).cause().isInstanceOf(AuthProtocolException.class);
    }

    static AuthOutcome run(io.pgwarden.spi.Authenticator authenticator, FakeExchange exchange) {
        return authenticator.authenticate(exchange).toCompletableFuture().join();
    }

    private static String saltOf(String serverFirst) {
        for (String part : serverFirst.split(",")) {
            if (part.startsWith("s=")) {
                return part.substring(2);
            }
        }
        throw new AssertionError("no salt in " + serverFirst);
    }
}
