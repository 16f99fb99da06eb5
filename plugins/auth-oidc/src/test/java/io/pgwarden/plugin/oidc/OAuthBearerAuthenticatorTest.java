package io.pgwarden.plugin.oidc;

import static io.pgwarden.plugin.oidc.FakeParts.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.plugin.oidc.OidcAuthSettings.StartupUser;
import io.pgwarden.plugin.oidc.TokenRejectedException.Reason;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class OAuthBearerAuthenticatorTest {

    private static final String TOKEN = TestTokens.jwt(Map.of("iss", ISSUER, "sub", "s-1", "preferred_username", "alice"));
    private static final String CHALLENGE = "{ \"status\": \"invalid_token\", \"openid-configuration\": \"" + ISSUER
            + "/.well-known/openid-configuration\", \"scope\": \"openid\" }";
    private static final String FAILED = "OAuth bearer authentication failed for user \"alice\"";

    private final FakeParts fakes = new FakeParts();
    private final RecordingMetrics registry = new RecordingMetrics();
    private final CapturingLogger logger = new CapturingLogger();

    @Test
    void withoutTlsTheClientIsRefusedBeforeAnythingIsOffered() {
        FakeExchange exchange = new FakeExchange().sasl("OAUTHBEARER", bearer(TOKEN));

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(exchange.requests()).isEmpty();
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("pgwarden offers OAuth sign-in only over SSL; connect with sslmode=require");
        assertThat(registry.failures("unknown", "tls_required")).isEqualTo(1);
    }

    @Test
    void aValidTokenSucceedsWithoutASaslFinalMessage() {
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", bearer(TOKEN));

        AuthOutcome.Success success = (AuthOutcome.Success) run(exchange);

        assertThat(exchange.requests()).containsExactly("SASL [OAUTHBEARER]");
        assertThat(success.identity().method()).isEqualTo("oauth");
        assertThat(success.identity().subject()).isEqualTo("s-1");
        assertThat(fakes.validated).containsExactly(TOKEN);
        assertThat(fakes.validationsOffTheBlockingExecutor).hasValue(0);
        assertThat(registry.logins(ISSUER)).isEqualTo(1);
        assertCleared(exchange);
    }

    @Test
    void withoutAnInitialResponseAnEmptyChallengeAsksForIt() {
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", null, bearer(TOKEN));

        assertThat(run(exchange)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(exchange.requests()).containsExactly("SASL [OAUTHBEARER]", "SASLContinue");
        assertThat(exchange.challenges.get(0)).isEmpty();
    }

    @Test
    void aDiscoveryRequestGetsTheChallengeThenTheGenericFailure() {
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", ascii("n,,\u0001auth=\u0001\u0001"), kvsep());

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(exchange.requests()).containsExactly("SASL [OAUTHBEARER]", "SASLContinue");
        assertThat(new String(exchange.challenges.get(0), StandardCharsets.UTF_8)).isEqualTo(CHALLENGE);
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo(FAILED);
        assertThat(failure.logReason()).contains("OAuth discovery");
        assertThat(fakes.validated).isEmpty();
        assertThat(registry.allFailures()).isZero();
    }

    @Test
    void theRuleChoosesTheIssuerAndScopeTheChallengeNames() {
        FakeExchange exchange = new FakeExchange().tls().option("scope", "openid pgwarden")
                .sasl("OAUTHBEARER", ascii("y,,\u0001auth=\u0001\u0001"), kvsep());

        run(exchange);

        assertThat(new String(exchange.challenges.get(0), StandardCharsets.UTF_8)).endsWith("\"scope\": \"openid pgwarden\" }");
    }

    @Test
    void anInvalidTokenGetsTheChallengeAndTheGenericFailureWithTheReasonInTheLogOnly() {
        fakes.rejection = new TokenRejectedException(Reason.EXPIRED, "expired at 2026-11-21T11:00:00Z");
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", bearer(TOKEN), kvsep());

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(exchange.requests()).containsExactly("SASL [OAUTHBEARER]", "SASLContinue");
        assertThat(new String(exchange.challenges.get(0), StandardCharsets.UTF_8)).isEqualTo(CHALLENGE);
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo(FAILED);
        assertThat(failure.logReason()).contains("expired").doesNotContain(TOKEN);
        assertThat(registry.failures(ISSUER, "expired")).isEqualTo(1);
        assertCleared(exchange);
    }

    @Test
    void aRefusedPersonGetsTheSameGenericFailure() {
        fakes.policyRefusal = "not in an allowed group";
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", bearer(TOKEN), kvsep());

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(failure.message()).isEqualTo(FAILED);
        assertThat(failure.logReason()).contains("not in an allowed group");
    }

    @Test
    void aTokenOfAnotherIssuerIsRefusedNotPassedToTheNextRule() {
        fakes.rejection = new TokenRejectedException(Reason.UNKNOWN_ISSUER, "iss is not configured");
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", bearer(TOKEN), kvsep());

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(failure.message()).isEqualTo(FAILED);
        assertThat(failure.logReason()).contains("not a token of a configured issuer");
    }

    @Test
    void aMalformedBearerHeaderIsAnsweredLikeAnInvalidTokenAndNeverValidated() {
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", ascii("n,,\u0001auth=Basic c2VjcmV0\u0001\u0001"), kvsep());

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(exchange.requests()).containsExactly("SASL [OAUTHBEARER]", "SASLContinue");
        assertThat(failure.message()).isEqualTo(FAILED);
        assertThat(failure.logReason()).contains("non-Bearer authentication scheme").doesNotContain("c2VjcmV0");
        assertThat(fakes.validated).isEmpty();
        assertThat(registry.failures("unknown", "malformed")).isEqualTo(1);
    }

    @Test
    void anAnswerToTheChallengeOtherThanKvsepIsAProtocolViolation() {
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", ascii("n,,\u0001auth=\u0001\u0001"), ascii("n,,"));

        assertViolation(exchange, "Client did not send a kvsep response.");
    }

    @Test
    void aMalformedInitialResponseIsAProtocolViolationWithPostgresqlsDetail() {
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", ascii("p=tls-unique,,\u0001auth=\u0001\u0001"));

        assertViolation(exchange, "The server does not support channel binding for OAuth, but the client message includes channel "
                + "binding data.");
        assertThat(exchange.requests()).containsExactly("SASL [OAUTHBEARER]");
        assertCleared(exchange);
    }

    @Test
    void anAuthorizationIdentityIsRefusedAsNotSupported() {
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", ascii("n,a=bob,\u0001auth=\u0001\u0001"));

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(failure.sqlState()).isEqualTo("0A000");
        assertThat(failure.message()).isEqualTo("client uses authorization identity, but it is not supported");
    }

    @Test
    void aMessageAbovePostgresqlsLimitIsRefusedUnread() {
        // 65535 - 4 - 12 - 4 bytes of data make the largest SASLInitialResponse PostgreSQL reads.
        byte[] largest = padded(65_535 - 20);
        byte[] oneMore = padded(65_535 - 19);

        fakes.rejection = new TokenRejectedException(Reason.TOO_LARGE, "above max_token_size");
        assertThat(((AuthOutcome.Failure) run(new FakeExchange().tls().sasl("OAUTHBEARER", largest, kvsep()))).logReason())
                .contains("too_large");
        FakeExchange exchange = new FakeExchange().tls().sasl("OAUTHBEARER", oneMore);
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(exchange);

        assertThat(exchange.requests()).containsExactly("SASL [OAUTHBEARER]");
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo(FAILED);
        assertThat(failure.logReason()).contains("65536 bytes");
        assertThat(fakes.validated).hasSize(1);
    }

    @Test
    void checkRuleOptionsRefusesAllowWithoutTls() {
        assertThatThrownBy(() -> authenticator().checkRuleOptions(Map.of("allow_without_tls", "true")))
                .hasMessageContaining("always requires SSL");
    }

    @Test
    void nothingLoggedHoldsTheToken() {
        fakes.rejection = new TokenRejectedException(Reason.BAD_SIGNATURE, "signature does not verify");

        run(new FakeExchange().tls().sasl("OAUTHBEARER", bearer(TOKEN), kvsep()));

        assertThat(logger.lines()).noneMatch(line -> line.contains(TOKEN));
    }

    private void assertViolation(FakeExchange exchange, String detail) {
        assertThatThrownBy(() -> run(exchange)).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(AuthProtocolException.class, e -> {
                    assertThat(e).hasMessage("malformed OAUTHBEARER message");
                    assertThat(e.detail()).isEqualTo(detail);
                });
    }

    private OAuthBearerAuthenticator authenticator() {
        OidcAuthSettings settings = new OidcAuthSettings("plugins[3]", 16384, StartupUser.MATCH, "client-cert",
                Set.of("client-cert", "service-account"));
        TokenLogin login = new TokenLogin(settings, fakes.parts(), new OidcMetrics(registry, List.of(ISSUER)), logger);
        return new OAuthBearerAuthenticator(login, new OAuthRuleOptions(Map.of(ISSUER, List.of())), fakes.blockingExecutor);
    }

    private AuthOutcome run(FakeExchange exchange) {
        return authenticator().authenticate(exchange).toCompletableFuture().join();
    }

    private static byte[] bearer(String token) {
        return ascii("n,,\u0001auth=Bearer " + token + "\u0001\u0001");
    }

    /** A fresh 0x01 each time: the authenticator clears what it read. */
    private static byte[] kvsep() {
        return new byte[] {1};
    }

    private static byte[] padded(int length) {
        String prefix = "n,,\u0001auth=Bearer ";
        String suffix = "\u0001\u0001";
        return ascii(prefix + "a".repeat(length - prefix.length() - suffix.length()) + suffix);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertCleared(FakeExchange exchange) {
        assertThat(exchange.handedOut).isNotEmpty().allSatisfy(bytes -> assertThat(bytes).containsOnly(0));
    }
}
