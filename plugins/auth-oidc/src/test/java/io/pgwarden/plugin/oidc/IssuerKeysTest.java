package io.pgwarden.plugin.oidc;

import static io.pgwarden.plugin.oidc.SignedTokens.claims;
import static io.pgwarden.plugin.oidc.SignedTokens.sign;
import static io.pgwarden.plugin.oidc.ValidatorConfig.issuer;
import static io.pgwarden.plugin.oidc.ValidatorConfig.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import io.pgwarden.plugin.oidc.TokenRejectedException.Reason;
import io.pgwarden.spi.PluginConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where keys come from and how they are cached, refreshed, rate limited and kept through outages. */
class IssuerKeysTest {

    private static final RSAKey OLD = SignedTokens.rsa("2026-01");
    private static final RSAKey NEW = SignedTokens.rsa("2026-02");
    private static final ECKey EC = SignedTokens.ec("ec-1");
    private static final ECKey STRANGER = SignedTokens.ec("never-published");

    private final StrategyTestServices services = new StrategyTestServices();
    private IdentityProviderStub idp;
    private TokenValidator validator;

    @BeforeEach
    void start() throws Exception {
        idp = new IdentityProviderStub("/realms/main");
    }

    @AfterEach
    void stop() {
        if (validator != null) {
            validator.close();
        }
        idp.close();
    }

    private TokenValidator validator(Object... issuerKeysAndValues) {
        validator = TokenValidator.fromConfig(plugin(issuer(idp.issuer(), issuerKeysAndValues)), services);
        return validator;
    }

    private String token(com.nimbusds.jose.jwk.JWK key) {
        Instant now = services.clock.instant();
        return key instanceof ECKey ? sign(key, JWSAlgorithm.ES256, claims(idp.issuer(), now).build())
                : sign(key, JWSAlgorithm.RS256, claims(idp.issuer(), now).build());
    }

    private static Reason rejection(TokenValidator validator, String token) {
        try {
            validator.validate(token);
        } catch (TokenRejectedException e) {
            return e.reason();
        }
        throw new AssertionError("the token was accepted");
    }

    @Test
    void keysAreFetchedOnceAndCached() throws Exception {
        idp.publish(OLD);
        validator();
        for (int i = 0; i < 5; i++) {
            validator.validate(token(OLD));
        }
        assertThat(idp.discoveryRequests.get()).isEqualTo(1);
        assertThat(idp.jwksRequests.get()).isEqualTo(1);
    }

    @Test
    void concurrentFirstValidationsShareOneFetch() throws Exception {
        idp.publish(OLD);
        idp.delay(Duration.ofMillis(100));
        validator();
        String token = token(OLD);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<VerifiedToken>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(clients.submit(() -> validator.validate(token)));
            }
            for (Future<VerifiedToken> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS).issuer()).isEqualTo(idp.issuer());
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(idp.discoveryRequests.get()).isEqualTo(1);
        assertThat(idp.jwksRequests.get()).isEqualTo(1);
    }

    @Test
    void rotationIsPickedUpOnAnUnknownKidAndRefetchesAreRateLimited() throws Exception {
        idp.publish(OLD);
        validator();
        validator.validate(token(OLD));
        assertThat(idp.jwksRequests.get()).isEqualTo(1);

        idp.publish(OLD, NEW);
        assertThat(validator.validate(token(NEW)).issuer()).isEqualTo(idp.issuer());
        assertThat(idp.jwksRequests.get()).isEqualTo(2);

        // Unknown kids within jwks_min_refresh (30s) fetch nothing more: a stranger cannot make pgwarden hammer the provider.
        for (int i = 0; i < 5; i++) {
            assertThat(rejection(validator, token(STRANGER))).isEqualTo(Reason.UNKNOWN_KEY);
        }
        assertThat(idp.jwksRequests.get()).isEqualTo(2);
        validator.validate(token(OLD));
        validator.validate(token(NEW));
        assertThat(idp.jwksRequests.get()).isEqualTo(2);
    }

    @Test
    void unknownKidIsFetchedAgainOnceTheRateLimitIntervalHasPassed() throws Exception {
        idp.publish(OLD);
        validator("jwks_min_refresh", "1s");
        validator.validate(token(OLD));
        assertThat(rejection(validator, token(STRANGER))).isEqualTo(Reason.UNKNOWN_KEY);
        assertThat(idp.jwksRequests.get()).isEqualTo(2);

        idp.publish(OLD, NEW);
        assertThat(rejection(validator, token(NEW))).isEqualTo(Reason.UNKNOWN_KEY);
        assertThat(idp.jwksRequests.get()).isEqualTo(2);
        Thread.sleep(1050);
        assertThat(validator.validate(token(NEW)).issuer()).isEqualTo(idp.issuer());
        assertThat(idp.jwksRequests.get()).isEqualTo(3);
    }

    @Test
    void providerDownWithCachedKeysStillValidates() throws Exception {
        idp.publish(OLD);
        validator("jwks_cache", "400ms", "jwks_min_refresh", "50ms", "http_timeout", "500ms");
        validator.validate(token(OLD));
        idp.stop();

        // Fresh cache: no fetch at all.
        assertThat(validator.validate(token(OLD)).issuer()).isEqualTo(idp.issuer());
        // Expired cache: the fetch fails, and the outage tolerance serves the keys fetched last.
        Thread.sleep(450);
        assertThat(validator.validate(token(OLD)).issuer()).isEqualTo(idp.issuer());
        assertThat(validator.validate(token(OLD)).issuer()).isEqualTo(idp.issuer());
        // A kid that was never published is still unknown, not "unavailable".
        assertThat(rejection(validator, token(NEW))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void providerDownWithoutOutageToleranceRefusesOnceTheCacheExpires() throws Exception {
        idp.publish(OLD);
        validator("jwks_cache", "300ms", "jwks_min_refresh", "50ms", "jwks_outage_tolerance", "0", "http_timeout", "500ms");
        validator.validate(token(OLD));
        idp.stop();
        Thread.sleep(350);
        assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    }

    @Test
    void providerDownWithNothingCachedIsKeysUnavailable() {
        idp.publish(OLD);
        idp.stop();
        validator("http_timeout", "500ms");
        for (int i = 0; i < 4; i++) {
            // Later attempts are rate limited without reaching the network; still "unavailable", not "unknown key".
            assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.KEYS_UNAVAILABLE);
        }
        assertThat(services.logger.lines()).anyMatch(line -> line.contains("discovery") && line.contains(idp.issuer()));
    }

    @Test
    void slowProviderTimesOut() {
        idp.publish(OLD);
        idp.delay(Duration.ofSeconds(3));
        validator("http_timeout", "200ms");
        long started = System.nanoTime();
        assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.KEYS_UNAVAILABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void discoveryDocumentOfAnotherIssuerIsRefusedAsKeysUnavailable() {
        idp.publish(OLD);
        idp.announceIssuer("https://evil.example.com");
        validator();
        assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.KEYS_UNAVAILABLE);
        assertThat(idp.jwksRequests.get()).isZero();
        assertThat(services.logger.lines()).anyMatch(line -> line.contains("names the issuer 'https://evil.example.com'"));
    }

    @Test
    void discoveryPointingAtPlainHttpElsewhereIsRefused() {
        idp.publish(OLD);
        idp.announceJwksUri("http://keys.example.com/jwks");
        validator();
        assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.KEYS_UNAVAILABLE);
        assertThat(services.logger.lines()).anyMatch(line -> line.contains("not https"));
    }

    @Test
    void jwksUriSkipsDiscovery() throws Exception {
        idp.publish(EC);
        validator("discovery", false, "jwks_uri", idp.jwksUri());
        assertThat(validator.validate(token(EC)).issuer()).isEqualTo(idp.issuer());
        assertThat(idp.discoveryRequests.get()).isZero();
        assertThat(idp.jwksRequests.get()).isEqualTo(1);
    }

    @Test
    void oversizedOrInvalidJwksIsKeysUnavailable() {
        idp.jwksBody("{\"keys\":[],\"padding\":\"" + "x".repeat(IssuerKeys.MAX_DOCUMENT_SIZE) + "\"}");
        validator("jwks_uri", idp.jwksUri());
        assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.KEYS_UNAVAILABLE);
        validator.close();

        idp.jwksBody("<html>login</html>");
        validator("jwks_uri", idp.jwksUri(), "jwks_min_refresh", "0");
        assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    }

    @Test
    void symmetricKeysInTheJwksAreIgnored() throws Exception {
        OctetSequenceKey secret = new OctetSequenceKeyGenerator(256).keyID("2026-01").generate();
        idp.jwksBody(new JWKSet(secret).toString(false));
        validator("jwks_uri", idp.jwksUri());
        assertThat(rejection(validator, token(OLD))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void jwksFileServesKeysWithoutNetwork(@TempDir Path dir) throws Exception {
        // A file with private parts is fine: only the public halves are kept.
        Path file = Files.writeString(dir.resolve("jwks.json"), new JWKSet(List.of(OLD, EC)).toString(false));
        idp.stop();
        validator("jwks_file", file.toString());
        assertThat(validator.validate(token(OLD)).issuer()).isEqualTo(idp.issuer());
        assertThat(validator.validate(token(EC)).issuer()).isEqualTo(idp.issuer());
        assertThat(rejection(validator, token(NEW))).isEqualTo(Reason.UNKNOWN_KEY);
        assertThat(rejection(validator, token(NEW))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void unreadableOrEmptyJwksFileIsAConfigError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.json");
        assertConfigError(missing, "cannot be read");
        Path notJson = Files.writeString(dir.resolve("bad.json"), "keys: []");
        assertConfigError(notJson, "is not a JSON Web Key Set");
        OctetSequenceKey secret = new OctetSequenceKeyGenerator(256).keyID("s").generate();
        Path onlySecret = Files.writeString(dir.resolve("secret.json"), new JWKSet(secret).toString(false));
        assertConfigError(onlySecret, "holds no public key");
    }

    private void assertConfigError(Path file, String messagePart) {
        assertThatThrownBy(() -> TokenValidator.fromConfig(plugin(issuer(idp.issuer(), "jwks_file", file.toString())), services))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("plugins[0].issuers[0].jwks_file"))
                .hasMessageContaining(messagePart);
    }
}
