package io.pgwarden.plugin.oidc;

import static io.pgwarden.plugin.oidc.FakeParts.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.plugin.oidc.OidcAuthSettings.StartupUser;
import io.pgwarden.plugin.oidc.TokenRejectedException.Reason;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OidcAuthenticatorTest {

    private static final String TOKEN = TestTokens.jwt(Map.of("iss", ISSUER, "sub", "s-1", "preferred_username", "alice"));
    private static final String PASSWORD = "s3cret-pässword";

    private final FakeParts fakes = new FakeParts();
    private final RecordingMetrics registry = new RecordingMetrics();
    private final CapturingLogger logger = new CapturingLogger();

    // ---- step 1: TLS

    @Test
    void withoutTlsTheClientIsRefusedBeforeItIsAskedAnything() {
        FakeExchange exchange = new FakeExchange().cleartext(TOKEN);

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), exchange);

        assertThat(exchange.requests()).isEmpty();
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("pgwarden refuses a token as password without SSL; connect with sslmode=require");
        assertThat(registry.failures("unknown", "tls_required")).isEqualTo(1);
        assertThat(fakes.validated).isEmpty();
    }

    @Test
    void allowWithoutTlsAsksWithoutTls() {
        FakeExchange exchange = new FakeExchange().option("allow_without_tls", "true").cleartext(TOKEN);

        assertThat(run(authenticator(), exchange)).isInstanceOf(AuthOutcome.Success.class);
        assertThat(exchange.requests()).containsExactly("Cleartext");
    }

    @Test
    void allowWithoutTlsFalseStillRefuses() {
        FakeExchange exchange = new FakeExchange().option("allow_without_tls", "false").cleartext(TOKEN);

        assertThat(run(authenticator(), exchange)).isInstanceOf(AuthOutcome.Failure.class);
        assertThat(exchange.requests()).isEmpty();
    }

    // ---- step 2: what is a token

    @Test
    void aPasswordThatIsNotAJwtIsNotApplicableIsNeverLoggedAndIsCleared() {
        FakeExchange exchange = new FakeExchange().tls().cleartext(PASSWORD);

        AuthOutcome.NotApplicable outcome = (AuthOutcome.NotApplicable) run(authenticator(), exchange);

        assertThat(exchange.requests()).containsExactly("Cleartext");
        assertThat(outcome.logReason()).doesNotContain(PASSWORD).doesNotContain("s3cret");
        assertThat(logger.lines()).noneMatch(line -> line.contains("s3cret"));
        assertThat(fakes.validated).isEmpty();
        assertThat(fakes.blockingTasks).hasValue(0);
        assertThat(registry.allFailures()).isZero();
        assertCleared(exchange);
    }

    @Test
    void aJwtOfAForeignIssuerIsNotApplicableAndNotValidated() {
        String foreign = TestTokens.jwt(Map.of("iss", "https://elsewhere.example.com", "sub", "x"));

        AuthOutcome outcome = run(authenticator(), new FakeExchange().tls().cleartext(foreign));

        assertThat(outcome).isInstanceOf(AuthOutcome.NotApplicable.class);
        assertThat(((AuthOutcome.NotApplicable) outcome).logReason()).doesNotContain(foreign);
        assertThat(fakes.validated).isEmpty();
        assertThat(registry.allFailures()).isZero();
    }

    @Test
    void anOversizeJwtIsRefusedAsTooLargeWithoutBeingParsed() {
        String large = TestTokens.jwt(Map.of("iss", ISSUER, "padding", "x".repeat(200)));
        FakeExchange exchange = new FakeExchange().tls().cleartext(large);

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(settings(100, StartupUser.MATCH)), exchange);

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("the token is too large");
        assertThat(failure.logReason()).contains("above max_token_size 100").doesNotContain(large);
        assertThat(fakes.recognitions).hasValue(0);
        assertThat(fakes.validated).isEmpty();
        assertThat(registry.failures("unknown", "too_large")).isEqualTo(1);
        assertCleared(exchange);
    }

    @Test
    void anOversizePasswordThatIsNotAJwtIsNotApplicable() {
        FakeExchange exchange = new FakeExchange().tls().cleartext("correct horse battery staple ".repeat(10));

        AuthOutcome outcome = run(authenticator(settings(100, StartupUser.MATCH)), exchange);

        assertThat(outcome).isInstanceOf(AuthOutcome.NotApplicable.class);
        assertThat(fakes.recognitions).hasValue(0);
        assertThat(registry.allFailures()).isZero();
    }

    @Test
    void aJwtOfExactlyMaxTokenSizeIsRead() {
        int size = TOKEN.length();

        assertThat(run(authenticator(settings(size, StartupUser.MATCH)), new FakeExchange().tls().cleartext(TOKEN)))
                .isInstanceOf(AuthOutcome.Success.class);
        assertThat(run(authenticator(settings(size - 1, StartupUser.MATCH)), new FakeExchange().tls().cleartext(TOKEN)))
                .isInstanceOf(AuthOutcome.Failure.class);
    }

    // ---- step 3: validation

    @Test
    void validationRunsOnTheBlockingExecutor() {
        run(authenticator(), new FakeExchange().tls().cleartext(TOKEN));

        assertThat(fakes.validated).containsExactly(TOKEN);
        assertThat(fakes.validationsOffTheBlockingExecutor).hasValue(0);
        assertThat(fakes.blockingTasks).hasValue(1);
    }

    @Test
    void eachRejectionReasonGivesTheBriefsMessageSqlStateAndMetricTag() {
        Map<Reason, String> expected = new EnumMap<>(Reason.class);
        expected.put(Reason.TOO_LARGE, "the token is too large");
        expected.put(Reason.MALFORMED, "invalid token: malformed");
        expected.put(Reason.ALGORITHM_NOT_ALLOWED, "invalid token: algorithm not allowed");
        expected.put(Reason.UNKNOWN_KEY, "invalid token: unknown signing key");
        expected.put(Reason.BAD_SIGNATURE, "invalid token: signature does not verify");
        expected.put(Reason.EXPIRED, "invalid token: expired");
        expected.put(Reason.NOT_YET_VALID, "invalid token: not yet valid");
        expected.put(Reason.WRONG_AUDIENCE, "invalid token: wrong audience");
        expected.put(Reason.MISSING_CLAIM, "invalid token: missing claim");
        expected.put(Reason.MISSING_SCOPE, "invalid token: missing scope");
        expected.put(Reason.KEYS_UNAVAILABLE, "cannot verify the token: the identity provider's keys are unavailable");
        assertThat(expected.keySet()).containsAll(Set.of(Reason.values()).stream().filter(r -> r != Reason.UNKNOWN_ISSUER).toList());

        for (Map.Entry<Reason, String> entry : expected.entrySet()) {
            fakes.rejection = new TokenRejectedException(entry.getKey(), "detail for the log: " + entry.getKey(),
                    new IllegalStateException("a cause with a stack"));
            FakeExchange exchange = new FakeExchange().tls().cleartext(TOKEN);

            AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), exchange);

            assertThat(failure.sqlState()).as(entry.getKey().name())
                    .isEqualTo(entry.getKey() == Reason.KEYS_UNAVAILABLE ? "08006" : "28000");
            assertThat(failure.message()).as(entry.getKey().name()).isEqualTo(entry.getValue());
            assertThat(failure.logReason()).contains("detail for the log: " + entry.getKey()).doesNotContain(TOKEN)
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(registry.failures(ISSUER, entry.getKey().tag())).as(entry.getKey().tag()).isEqualTo(1);
            assertCleared(exchange);
        }
        assertThat(registry.logins(ISSUER)).isZero();
        assertThat(fakes.strategiesUsed).isEmpty();
        assertThat(logger.lines()).noneMatch(line -> line.contains(TOKEN) || line.contains("a cause with a stack"));
    }

    @Test
    void keysUnavailableIsAConnectionFailureNotAnAuthorizationOne() {
        fakes.rejection = new TokenRejectedException(Reason.KEYS_UNAVAILABLE, "JWKS fetch failed: connection refused");

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), new FakeExchange().tls().cleartext(TOKEN));

        assertThat(failure.sqlState()).isEqualTo("08006");
        assertThat(failure.message()).isEqualTo("cannot verify the token: the identity provider's keys are unavailable");
        assertThat(registry.failures(ISSUER, "keys_unavailable")).isEqualTo(1);
    }

    @Test
    void anUnknownIssuerFoundByTheValidatorIsForTheNextRule() {
        fakes.rejection = new TokenRejectedException(Reason.UNKNOWN_ISSUER, "iss is not configured");

        assertThat(run(authenticator(), new FakeExchange().tls().cleartext(TOKEN))).isInstanceOf(AuthOutcome.NotApplicable.class);
        assertThat(registry.failures(ISSUER, "unknown_issuer")).isEqualTo(1);
    }

    // ---- step 4: mapping and startup user

    @Test
    void aTokenWithoutTheRoleClaimIsRefusedWithTheMappingsMessage() {
        fakes.mappingRefusal = new LoginRefusedException("the token has no preferred_username claim");

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), new FakeExchange().tls().cleartext(TOKEN));

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("the token has no preferred_username claim");
        assertThat(registry.failures(ISSUER, "identity")).isEqualTo(1);
        assertThat(fakes.policyDatabases).isEmpty();
    }

    @Test
    void startupUserMatchRefusesAnotherUser() {
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), new FakeExchange().user("bob").tls().cleartext(TOKEN));

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("the token is for \"alice\", not for user \"bob\"");
        assertThat(registry.failures(ISSUER, "startup_user")).isEqualTo(1);
        assertThat(fakes.strategiesUsed).isEmpty();
    }

    @Test
    void startupUserMatchIsExactIncludingCase() {
        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), new FakeExchange().user("Alice").tls().cleartext(TOKEN));

        assertThat(failure.message()).isEqualTo("the token is for \"alice\", not for user \"Alice\"");
    }

    @Test
    void startupUserIgnoreAcceptsAnyUserAndLogsInAsTheRole() {
        FakeExchange exchange = new FakeExchange().user("whoever").tls().cleartext(TOKEN);

        AuthOutcome.Success success = (AuthOutcome.Success) run(authenticator(settings(16384, StartupUser.IGNORE)), exchange);

        assertThat(success.login().user()).isEqualTo("alice");
        assertThat(success.identity().databaseRole()).isEqualTo("alice");
    }

    // ---- step 5: authorization

    @Test
    void authorizationRefusalIsFatal28000WithThePolicysMessageForTheStartupDatabase() {
        fakes.policyRefusal = "groups of alice do not allow database \"payroll\" (plugins[3].authorization.databases)";

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(),
                new FakeExchange().database("payroll").tls().cleartext(TOKEN));

        assertThat(fakes.policyDatabases).containsExactly("payroll");
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo(fakes.policyRefusal);
        assertThat(registry.failures(ISSUER, "authorization")).isEqualTo(1);
        assertThat(fakes.strategiesUsed).isEmpty();
    }

    @Test
    void notInAnAllowedGroupIsRefusedTheSameWay() {
        fakes.policyRefusal = "alice is not in a group allowed by plugins[3].authorization.allowed_groups";

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), new FakeExchange().tls().cleartext(TOKEN));

        assertThat(failure.message()).isEqualTo(fakes.policyRefusal);
    }

    // ---- step 6: strategy and propagation

    @Test
    void withoutAStrategyOptionThePluginsDefaultIsUsed() {
        AuthOutcome.Success clientCert = (AuthOutcome.Success) run(authenticator(), new FakeExchange().tls().cleartext(TOKEN));
        AuthOutcome.Success serviceAccount = (AuthOutcome.Success) run(
                authenticator(new OidcAuthSettings("plugins[3]", 16384, StartupUser.MATCH, "service-account",
                        Set.of("client-cert", "service-account"))),
                new FakeExchange().tls().cleartext(TOKEN));

        assertThat(fakes.strategiesUsed).containsExactly("client-cert", "service-account");
        assertThat(clientCert.login().credential()).isEqualTo(FakeParts.CERTIFICATE);
        assertThat(serviceAccount.login().user()).isEqualTo("app_ro");
    }

    @Test
    void theRulesStrategyOptionWinsOverTheDefault() {
        FakeExchange exchange = new FakeExchange().option("strategy", "service-account").tls().cleartext(TOKEN);

        AuthOutcome.Success success = (AuthOutcome.Success) run(authenticator(), exchange);

        assertThat(fakes.strategiesUsed).containsExactly("service-account");
        assertThat(success.login().user()).isEqualTo("app_ro");
        assertThat(success.login().credential()).isEqualTo(Credential.password("app-secret"));
        assertThat(success.identity().databaseRole()).isEqualTo("alice");
    }

    @Test
    void theStrategyGetsTheRulesDefaultLogin() {
        FakeExchange exchange = new FakeExchange().tls().cleartext(TOKEN);

        run(authenticator(), exchange);

        assertThat(fakes.ruleDefaults).containsExactly(exchange.defaultLogin);
    }

    @Test
    void aLoginRefusedByTheStrategyIs28000WithItsMessage() {
        fakes.strategyRefusal = new LoginRefusedException("no service account for the groups of alice (plugins[3].service_accounts)");

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(),
                new FakeExchange().option("strategy", "service-account").tls().cleartext(TOKEN));

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("no service account for the groups of alice (plugins[3].service_accounts)");
        assertThat(registry.failures(ISSUER, "login")).isEqualTo(1);
        assertThat(registry.logins(ISSUER)).isZero();
    }

    @Test
    void aLoginRefusedByThePropagationIs28000WithItsMessage() {
        fakes.propagationRefusal = new LoginRefusedException("the display name holds a control character");

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), new FakeExchange().tls().cleartext(TOKEN));

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("the display name holds a control character");
    }

    // ---- step 7: success

    @Test
    void successGivesThePersonsIdentityAndTheLoginWithPropagation() {
        FakeExchange exchange = new FakeExchange().tls().cleartext(TOKEN);

        AuthOutcome.Success success = (AuthOutcome.Success) run(authenticator(), exchange);

        assertThat(success.identity()).isEqualTo(new Identity("s-1", "alice", "alice@example.com", Set.of("analysts", "db-users"),
                "oidc", Map.of("sub", "s-1", "preferred_username", "alice", "groups", List.of("analysts", "db-users"))));
        assertThat(success.identity().claims().values()).doesNotContain(TOKEN);
        BackendLogin login = success.login();
        assertThat(login.backend()).isEqualTo("pg");
        assertThat(login.database()).isEqualTo("appdb");
        assertThat(login.user()).isEqualTo("alice");
        assertThat(login.credential()).isEqualTo(FakeParts.CERTIFICATE);
        assertThat(login.parameters()).containsEntry("application_name", "pgwarden:alice").containsEntry("client_encoding", "UTF8");
        assertThat(login.sessionInit()).containsExactly("SET pgwarden.\"user\" = E'alice'");
        assertThat(registry.logins(ISSUER)).isEqualTo(1);
        assertThat(registry.allFailures()).isZero();
        assertThat(logger.lines()).noneMatch(line -> line.contains(TOKEN));
        assertCleared(exchange);
    }

    @Test
    void anUnexpectedErrorIsAnInternalErrorThatNeitherShowsNorLogsTheToken() {
        fakes.policyError = new IllegalStateException("choked on " + TOKEN);

        AuthOutcome.Failure failure = (AuthOutcome.Failure) run(authenticator(), new FakeExchange().tls().cleartext(TOKEN));

        assertThat(failure.sqlState()).isEqualTo("XX000");
        assertThat(failure.message()).doesNotContain(TOKEN);
        assertThat(failure.logReason()).doesNotContain(TOKEN);
        assertThat(logger.lines()).isNotEmpty().noneMatch(line -> line.contains(TOKEN));
        assertThat(registry.failures(ISSUER, "error")).isEqualTo(1);
    }

    // ---- rule options

    @Test
    void checkRuleOptionsAcceptsStrategyAndAllowWithoutTls() {
        OidcAuthenticator oidc = authenticator();
        oidc.checkRuleOptions(Map.of());
        oidc.checkRuleOptions(Map.of("strategy", "client-cert", "allow_without_tls", "true"));
        oidc.checkRuleOptions(Map.of("strategy", "service-account", "allow_without_tls", "false"));
    }

    @Test
    void checkRuleOptionsRefusesAnUnknownOption() {
        assertThatThrownBy(() -> authenticator().checkRuleOptions(Map.of("channel_binding", "require")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("channel_binding: unknown option for method oidc; known: strategy, allow_without_tls, provision");
    }

    @Test
    void checkRuleOptionsRefusesABadStrategyValue() {
        assertRuleOptionError(authenticator(), Map.of("strategy", "set_role"), "strategy",
                "expected client-cert, service-account or set-role, found 'set_role'");
    }

    @Test
    void checkRuleOptionsAcceptsSetRoleOnlyWhenItIsConfigured() {
        authenticator(new OidcAuthSettings("plugins[3]", 16384, StartupUser.MATCH, "client-cert", Set.of("client-cert", "set-role")))
                .checkRuleOptions(Map.of("strategy", "Set-Role"));
        assertRuleOptionError(authenticator(), Map.of("strategy", "set-role"), "strategy",
                "set-role is not configured: plugins[3] has no set_role section");
    }

    @Test
    void checkRuleOptionsRefusesAStrategyThatIsNotConfigured() {
        OidcAuthenticator clientCertOnly = authenticator(new OidcAuthSettings("plugins[3]", 16384, StartupUser.MATCH, "client-cert",
                Set.of("client-cert")));

        assertRuleOptionError(clientCertOnly, Map.of("strategy", "service-account"), "strategy",
                "service-account is not configured: plugins[3] has no service_accounts section");
        clientCertOnly.checkRuleOptions(Map.of("strategy", "client-cert"));
    }

    @Test
    void checkRuleOptionsRefusesABadAllowWithoutTls() {
        assertRuleOptionError(authenticator(), Map.of("allow_without_tls", "maybe"), "allow_without_tls", "expected true or false");
    }

    private static void assertRuleOptionError(OidcAuthenticator oidc, Map<String, String> options, String path, String message) {
        assertThatThrownBy(() -> oidc.checkRuleOptions(options))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path));
    }

    // ---- helpers

    private OidcAuthenticator authenticator() {
        return authenticator(settings(16384, StartupUser.MATCH));
    }

    private OidcAuthenticator authenticator(OidcAuthSettings settings) {
        return new OidcAuthenticator(new TokenLogin(settings, fakes.parts(), new OidcMetrics(registry, List.of(ISSUER)), logger),
                fakes.blockingExecutor);
    }

    private static OidcAuthSettings settings(int maxTokenSize, StartupUser startupUser) {
        return new OidcAuthSettings("plugins[3]", maxTokenSize, startupUser, "client-cert", Set.of("client-cert", "service-account"));
    }

    private static AuthOutcome run(OidcAuthenticator authenticator, FakeExchange exchange) {
        return authenticator.authenticate(exchange).toCompletableFuture().join();
    }

    private static void assertCleared(FakeExchange exchange) {
        assertThat(exchange.handedOut).isNotEmpty().allSatisfy(bytes -> assertThat(bytes).containsOnly(0));
    }
}
