package io.pgwarden.plugin.oidc;

import static io.pgwarden.plugin.oidc.SignedTokens.b64;
import static io.pgwarden.plugin.oidc.SignedTokens.claims;
import static io.pgwarden.plugin.oidc.SignedTokens.raw;
import static io.pgwarden.plugin.oidc.SignedTokens.sign;
import static io.pgwarden.plugin.oidc.ValidatorConfig.issuer;
import static io.pgwarden.plugin.oidc.ValidatorConfig.plugin;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.pgwarden.plugin.oidc.TokenRejectedException.Reason;
import io.pgwarden.spi.PluginConfig;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Signature, algorithm, claims, shape and size checks, against keys served by a stub provider. */
class TokenValidatorTest {

    private static final RSAKey RSA = SignedTokens.rsa("rsa-1");
    private static final RSAKey OTHER_RSA_SAME_KID = SignedTokens.rsa("rsa-1");
    private static final ECKey EC = SignedTokens.ec("ec-1");

    private final StrategyTestServices services = new StrategyTestServices();
    private IdentityProviderStub idp;
    private TokenValidator validator;
    private Instant now;

    @BeforeEach
    void start() throws Exception {
        idp = new IdentityProviderStub("/realms/main");
        idp.publish(RSA, EC);
        now = services.clock.instant();
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

    private JWTClaimsSet.Builder good() {
        return claims(idp.issuer(), now);
    }

    private static Reason rejection(TokenValidator validator, String token) {
        try {
            validator.validate(token);
        } catch (TokenRejectedException e) {
            if (token != null && token.length() > 8) {
                assertThat(e.getMessage()).doesNotContain(token);
            }
            return e.reason();
        }
        throw new AssertionError("the token was accepted");
    }

    @Test
    void validRs256TokenIsAccepted() throws Exception {
        VerifiedToken verified = validator().validate(sign(RSA, JWSAlgorithm.RS256, good().build()));

        assertThat(verified.issuer()).isEqualTo(idp.issuer());
        assertThat(verified.expiresAt()).isEqualTo(now.plusSeconds(300));
        assertThat(verified.claims()).containsEntry("sub", "alice").containsEntry("preferred_username", "alice")
                .containsEntry("exp", now.plusSeconds(300).getEpochSecond());
        assertThat(idp.discoveryRequests.get()).isEqualTo(1);
        assertThat(idp.jwksRequests.get()).isEqualTo(1);
    }

    @Test
    void validEs256AndPs256TokensAreAccepted() throws Exception {
        validator();
        assertThat(validator.validate(sign(EC, JWSAlgorithm.ES256, good().build())).issuer()).isEqualTo(idp.issuer());
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.PS256, good().build())).issuer()).isEqualTo(idp.issuer());
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS512, good().build())).issuer()).isEqualTo(idp.issuer());
        assertThat(idp.jwksRequests.get()).isEqualTo(1);
    }

    @Test
    void accessTokenTypesAreAcceptedAndOthersRefused() throws Exception {
        validator();
        JWSHeader atJwt = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").type(new JOSEObjectType("at+jwt")).build();
        JWSHeader noType = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build();
        JWSHeader other = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").type(new JOSEObjectType("logout+jwt")).build();

        assertThat(validator.validate(sign(RSA, atJwt, good().build())).issuer()).isEqualTo(idp.issuer());
        assertThat(validator.validate(sign(RSA, noType, good().build())).issuer()).isEqualTo(idp.issuer());
        assertThat(rejection(validator, sign(RSA, other, good().build()))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void claimsWithNullValuesAndNestedObjectsAreKept() throws Exception {
        String token = sign(RSA, JWSAlgorithm.RS256, good().claim("nothing", null)
                .claim("realm_access", Map.of("roles", List.of("analysts"))).build());

        VerifiedToken verified = validator().validate(token);

        assertThat(verified.claims()).doesNotContainKey("nothing");
        assertThat(verified.claims().get("realm_access")).isEqualTo(Map.of("roles", List.of("analysts")));
    }

    @Test
    void expiredTokenIsRefused() {
        validator();
        String token = sign(RSA, JWSAlgorithm.RS256, good().expirationTime(Date.from(now.minusSeconds(3600))).build());
        assertThat(rejection(validator, token)).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void tokenWithoutExpIsRefused() {
        validator();
        String token = sign(RSA, JWSAlgorithm.RS256, good().expirationTime(null).build());
        assertThat(rejection(validator, token)).isEqualTo(Reason.MISSING_CLAIM);
    }

    @Test
    void tokenNotYetValidIsRefused() {
        validator();
        String token = sign(RSA, JWSAlgorithm.RS256, good().notBeforeTime(Date.from(now.plusSeconds(600))).build());
        assertThat(rejection(validator, token)).isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void expAndNbfAreHonouredWithTheClockSkewExactly() throws Exception {
        validator("clock_skew", "60s");
        // Valid while now < exp + skew, and once nbf - skew < now.
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS256, good().expirationTime(Date.from(now.minusSeconds(59))).build())))
                .isNotNull();
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().expirationTime(Date.from(now.minusSeconds(60))).build())))
                .isEqualTo(Reason.EXPIRED);
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS256, good().notBeforeTime(Date.from(now.plusSeconds(59))).build())))
                .isNotNull();
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().notBeforeTime(Date.from(now.plusSeconds(60))).build())))
                .isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void zeroSkewMeansNoTolerance() {
        validator("clock_skew", "0s");
        String token = sign(RSA, JWSAlgorithm.RS256, good().expirationTime(Date.from(now.plusSeconds(1))).build());
        services.clock.set(now.plusSeconds(1));
        assertThat(rejection(validator, token)).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void theClaimsCheckUsesTheServicesClock() throws Exception {
        validator();
        String token = sign(RSA, JWSAlgorithm.RS256, good().build());
        assertThat(validator.validate(token)).isNotNull();
        services.clock.set(now.plusSeconds(300 + 60));
        assertThat(rejection(validator, token)).isEqualTo(Reason.EXPIRED);
        services.clock.set(now.minusSeconds(3600));
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().notBeforeTime(Date.from(now)).build())))
                .isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void wrongOrMissingAudienceIsRefused() {
        validator();
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().audience("someone-else").build())))
                .isEqualTo(Reason.WRONG_AUDIENCE);
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().audience((String) null).build())))
                .isEqualTo(Reason.WRONG_AUDIENCE);
    }

    @Test
    void anyConfiguredAudienceInTheTokensAudienceIsEnough() throws Exception {
        validator("audience", List.of("api://pgwarden", "pgwarden-prod"));
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS256, good().audience(List.of("account", "pgwarden-prod")).build())))
                .isNotNull();
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().build()))).isEqualTo(Reason.WRONG_AUDIENCE);
    }

    @Test
    void wrongIssuerIsRefusedAndNotRecognized() {
        validator();
        for (String other : List.of("https://evil.example.com", idp.issuer() + "/", idp.issuer().toUpperCase())) {
            String token = sign(RSA, JWSAlgorithm.RS256, good().issuer(other).build());
            assertThat(validator.recognizes(token)).isFalse();
            assertThat(rejection(validator, token)).isEqualTo(Reason.UNKNOWN_ISSUER);
        }
        assertThat(idp.jwksRequests.get()).isZero();
    }

    @Test
    void unknownKidIsRefused() {
        validator();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nobody").build();
        assertThat(rejection(validator, sign(SignedTokens.rsa("nobody"), header, good().build()))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void keyOfTheWrongTypeForTheAlgorithmIsAnUnknownKey() {
        validator();
        // ES256 naming the RSA key's kid: no EC key has that kid.
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("rsa-1").build();
        assertThat(rejection(validator, sign(SignedTokens.ec("x"), header, good().build()))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void signatureOfAnotherKeyWithTheSameKidDoesNotVerify() {
        validator();
        assertThat(rejection(validator, sign(OTHER_RSA_SAME_KID, JWSAlgorithm.RS256, good().build()))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void changedPayloadDoesNotVerify() {
        validator();
        String token = sign(RSA, JWSAlgorithm.RS256, good().build());
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + b64(good().subject("admin").build().toString()) + "." + parts[2];
        assertThat(rejection(validator, forged)).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void keysEmbeddedOrLinkedInTheHeaderAreIgnored() throws Exception {
        validator();
        RSAKey attacker = SignedTokens.rsa("attacker");
        try (IdentityProviderStub attackersServer = new IdentityProviderStub("/evil")) {
            attackersServer.publish(attacker);
            JWSHeader embedded = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker").jwk(attacker.toPublicJWK()).build();
            JWSHeader linked = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker")
                    .jwkURL(java.net.URI.create(attackersServer.jwksUri())).build();
            JWSHeader embeddedWithRealKid = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").jwk(attacker.toPublicJWK()).build();

            assertThat(rejection(validator, sign(attacker, embedded, good().build()))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(rejection(validator, sign(attacker, linked, good().build()))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(rejection(validator, sign(attacker, embeddedWithRealKid, good().build()))).isEqualTo(Reason.BAD_SIGNATURE);
            assertThat(attackersServer.jwksRequests.get()).isZero();
        }
    }

    @Test
    void duplicateClaimsAreMalformed() {
        validator();
        String payload = "{\"iss\":\"https://evil.example.com\",\"iss\":\"" + idp.issuer() + "\",\"aud\":\"pgwarden\",\"exp\":"
                + now.plusSeconds(60).getEpochSecond() + "}";
        String token = SignedTokens.raw("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", payload, "c2ln");
        assertThat(validator.recognizes(token)).isFalse();
        assertThat(rejection(validator, token)).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void algNoneIsRefusedWithoutLookingAtKeys() {
        validator();
        String unsigned = new PlainJWT(good().build()).serialize();
        assertThat(validator.recognizes(unsigned)).isTrue();
        assertThat(rejection(validator, unsigned)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
        String withSignature = raw("{\"alg\":\"none\",\"kid\":\"rsa-1\"}", good().build().toString(), "c2lnbmF0dXJl");
        assertThat(rejection(validator, withSignature)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
        String noneCased = raw("{\"alg\":\"NONE\"}", good().build().toString(), "");
        assertThat(rejection(validator, noneCased)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
        assertThat(idp.jwksRequests.get()).isZero();
    }

    @Test
    void hs256SignedWithThePublicKeyIsRefusedWithoutLookingAtKeys() {
        validator();
        String forged = SignedTokens.hs256WithPublicKey(RSA, good().build());
        assertThat(validator.recognizes(forged)).isTrue();
        assertThat(rejection(validator, forged)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
        assertThat(idp.jwksRequests.get()).isZero();
    }

    @Test
    void algorithmOutsideTheIssuersListIsRefused() throws Exception {
        validator("algorithms", List.of("ES256"));
        assertThat(validator.validate(sign(EC, JWSAlgorithm.ES256, good().build()))).isNotNull();
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().build()))).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
        String lowerCase = raw("{\"alg\":\"es256\",\"kid\":\"ec-1\"}", good().build().toString(), "c2ln");
        assertThat(rejection(validator, lowerCase)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void oversizeTokenIsRefusedBeforeParsing() {
        validator = TokenValidator.fromConfig(new PluginConfig("plugins[0]", ValidatorConfig.map("max_token_size", 1024,
                "issuers", List.of(issuer(idp.issuer())))), services);
        String big = sign(RSA, JWSAlgorithm.RS256, good().claim("padding", "x".repeat(2000)).build());
        assertThat(validator.recognizes(big)).isTrue();
        assertThat(rejection(validator, big)).isEqualTo(Reason.TOO_LARGE);
        String bigGarbage = "A".repeat(1000) + "." + "B".repeat(100) + "." + "C".repeat(100);
        assertThat(validator.recognizes(bigGarbage)).isTrue();
        assertThat(rejection(validator, bigGarbage)).isEqualTo(Reason.TOO_LARGE);
        assertThat(validator.recognizes("not a token " + "x".repeat(2000))).isFalse();
        assertThat(idp.jwksRequests.get()).isZero();
    }

    @Test
    void garbageIsMalformedAndNotRecognized() {
        validator();
        String payload = good().build().toString();
        List<String> garbage = List.of("", "secret password", "abc", "a.b", "a.b.c.d", "..", "a..c", ".b.c",
                "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0", "a b.c d.e f", "ab=.cd=.ef",
                b64("{\"alg\":\"RS256\"}") + "." + b64(payload) + ".sig.extra",
                "!!!." + b64(payload) + ".c2ln", "é." + b64(payload) + ".c2ln", "x.y.z", "a.bcdef.c");
        for (String text : garbage) {
            assertThat(validator.recognizes(text)).as(text).isFalse();
            assertThat(rejection(validator, text)).as(text).isEqualTo(Reason.MALFORMED);
        }
        assertThat(validator.recognizes(null)).isFalse();
        assertThat(rejection(validator, null)).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void payloadOrHeaderThatIsNotAJsonObjectIsMalformed() {
        validator();
        String payload = good().build().toString();
        List<String> tokens = List.of(
                raw("{\"alg\":\"RS256\"}", "not json", "c2ln"),
                raw("{\"alg\":\"RS256\"}", "[\"iss\"]", "c2ln"),
                raw("{\"alg\":\"RS256\"}", "\"" + idp.issuer() + "\"", "c2ln"),
                raw("{\"alg\":\"RS256\"}", "{\"iss\":" + "[".repeat(5000), "c2ln"),
                raw("not json", payload, "c2ln"),
                raw("[\"RS256\"]", payload, "c2ln"),
                raw("{\"alg\":256}", payload, "c2ln"),
                raw("{\"kid\":\"rsa-1\"}", payload, "c2ln"),
                raw("{\"alg\":\"RS256\"}", "{\"iss\":42}", "c2ln"),
                raw("{\"alg\":\"RS256\"}", "{\"sub\":\"alice\"}", "c2ln"),
                raw("{\"alg\":\"RS256\"}", "{\"iss\":null}", "c2ln"),
                b64("{\"alg\":\"RS256\"}") + ".eyJ.c2ln");
        for (String token : tokens) {
            assertThat(validator.recognizes(token)).as(token).isFalse();
            assertThat(rejection(validator, token)).as(token).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void claimsOfTheWrongTypeAreMalformed() {
        validator();
        String badExp = raw("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "{\"iss\":\"" + idp.issuer()
                + "\",\"aud\":\"pgwarden\",\"exp\":\"tomorrow\"}", "c2ln");
        assertThat(validator.recognizes(badExp)).isTrue();
        assertThat(rejection(validator, badExp)).isEqualTo(Reason.MALFORMED);
        String badSignature = raw("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", good().build().toString(), "!!");
        assertThat(rejection(validator, badSignature)).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void requiredScopesAreReadFromScopeOrScp() throws Exception {
        validator("required_scopes", List.of("db", "openid"));
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS256, good().claim("scope", "openid email db").build()))).isNotNull();
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS256, good().claim("scp", "db openid").build()))).isNotNull();
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS256, good().claim("scp", List.of("openid", "db")).build()))).isNotNull();
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.RS256, good().claim("scope", "openid").claim("scp", List.of("db")).build())))
                .isNotNull();

        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().claim("scope", "openid email").build())))
                .isEqualTo(Reason.MISSING_SCOPE);
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().claim("scp", List.of("openid", "database")).build())))
                .isEqualTo(Reason.MISSING_SCOPE);
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().claim("scope", 42).build())))
                .isEqualTo(Reason.MISSING_SCOPE);
        assertThat(rejection(validator, sign(RSA, JWSAlgorithm.RS256, good().build()))).isEqualTo(Reason.MISSING_SCOPE);
    }

    @Test
    void noScopesAreNeededByDefault() throws Exception {
        assertThat(validator().validate(sign(RSA, JWSAlgorithm.RS256, good().build()))).isNotNull();
    }

    @Test
    void severalIssuersEachUseTheirOwnKeys() throws Exception {
        try (IdentityProviderStub second = new IdentityProviderStub("/tenant/contractors")) {
            ECKey secondKey = SignedTokens.ec("contractors-1");
            second.publish(secondKey);
            validator = TokenValidator.fromConfig(plugin(issuer(idp.issuer(), "claims", ValidatorConfig.map("role", "email")),
                    issuer(second.issuer(), "audience", "pgwarden-contractors")), services);

            String staff = sign(RSA, JWSAlgorithm.RS256, good().build());
            String contractor = sign(secondKey, JWSAlgorithm.ES256, claims(second.issuer(), now).audience("pgwarden-contractors").build());
            assertThat(validator.recognizes(staff)).isTrue();
            assertThat(validator.recognizes(contractor)).isTrue();
            assertThat(validator.validate(staff).issuer()).isEqualTo(idp.issuer());
            assertThat(validator.validate(contractor).issuer()).isEqualTo(second.issuer());

            // Each issuer's own keys and audience: a token naming one issuer, signed with the other's key, fails.
            String crossed = sign(secondKey, JWSAlgorithm.ES256, good().build());
            assertThat(rejection(validator, crossed)).isEqualTo(Reason.UNKNOWN_KEY);
            String wrongAudience = sign(secondKey, JWSAlgorithm.ES256, claims(second.issuer(), now).build());
            assertThat(rejection(validator, wrongAudience)).isEqualTo(Reason.WRONG_AUDIENCE);

            assertThat(validator.claimsConfigFor(idp.issuer()).values()).isEqualTo(Map.of("role", "email"));
            assertThat(validator.claimsConfigFor(second.issuer()).values()).isEmpty();
            assertThat(validator.claimsConfigFor(second.issuer()).path()).isEqualTo("plugins[0].issuers[1].claims");
            // The crossed token's kid was unknown to the first issuer: its keys were fetched once more.
            assertThat(idp.jwksRequests.get()).isEqualTo(2);
            assertThat(second.jwksRequests.get()).isEqualTo(1);
        }
    }

    @Test
    void logsAndMessagesNeverHoldTheToken() {
        validator();
        List<String> tokens = List.of(
                sign(RSA, JWSAlgorithm.RS256, good().expirationTime(Date.from(now.minusSeconds(3600))).build()),
                sign(OTHER_RSA_SAME_KID, JWSAlgorithm.RS256, good().build()),
                SignedTokens.hs256WithPublicKey(RSA, good().build()),
                sign(RSA, JWSAlgorithm.RS256, good().audience("x").build()));
        for (String token : tokens) {
            rejection(validator, token);
        }
        for (String token : tokens) {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            String payload = token.split("\\.")[1];
            assertThat(services.logger.lines()).noneMatch(line -> line.contains(signature) || line.contains(payload));
        }
    }
}
