package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OIDC provider the oidc ITs run against, checked on its own (no proxy, no PostgreSQL): mock-oauth2-server with
 * the rest of the test class path (Netty 4.2 from our BOM instead of its 4.1; it serves HTTP with OkHttp's
 * MockWebServer, not Netty) serves discovery, JWKS and tokens; tokens verify against the JWKS it serves; a rotation
 * publishes a new kid; a stopped provider refuses connections and comes back on the same port with the same keys.
 */
class OidcProviderFixtureIT {

    private static OidcFixture provider;

    @BeforeAll
    static void start() {
        provider = OidcFixture.start("fixture");
    }

    @AfterAll
    static void stop() {
        provider.close();
    }

    @Test
    void discoveryNamesTheIssuerAndItsJwksUri() throws Exception {
        Map<String, Object> discovery = JSONObjectUtils.parse(provider.fetch(provider.discoveryUri()));
        assertThat(discovery.get("issuer")).isEqualTo(provider.issuer());
        assertThat(discovery.get("jwks_uri")).isEqualTo(provider.jwksUri().toString());
        assertThat(provider.issuer()).startsWith("http://127.0.0.1:" + provider.port() + "/");
    }

    @Test
    void tokensFromTheTokenEndpointAndIssuedDirectlyVerifyAgainstTheServedJwks() throws Exception {
        String fromEndpoint = provider.token("alice").groups("analysts").fromTokenEndpoint();
        String issued = provider.token("bob").audience("pgwarden", "other").issue();
        for (String token : new String[] {fromEndpoint, issued}) {
            JWTClaimsSet claims = verify(token);
            assertThat(claims.getIssuer()).isEqualTo(provider.issuer());
            assertThat(claims.getAudience()).contains(OidcFixture.AUDIENCE);
            assertThat(claims.getExpirationTime()).isInTheFuture();
        }
        assertThat(verify(fromEndpoint).getStringListClaim("groups")).containsExactly("analysts");
        assertThat(verify(fromEndpoint).getStringClaim("preferred_username")).isEqualTo("alice");
        assertThat(verify(issued).getAudience()).containsExactly("pgwarden", "other");
    }

    @Test
    void expiryAndNotBeforeAreWhatTheTestAskedFor() throws Exception {
        JWTClaimsSet expired = SignedJWT.parse(provider.token("alice").expiresIn(Duration.ofMinutes(-10)).issue())
                .getJWTClaimsSet();
        assertThat(expired.getExpirationTime()).isInThePast();
        JWTClaimsSet early = SignedJWT.parse(provider.token("alice").notBeforeIn(Duration.ofMinutes(10)).issue())
                .getJWTClaimsSet();
        assertThat(early.getNotBeforeTime()).isInTheFuture();
    }

    @Test
    void rotationPublishesANewKidAndSignsWithIt() throws Exception {
        String before = provider.token("alice").issue();
        String kid = provider.rotateKey().getKeyID();
        String after = provider.token("alice").issue();
        assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isEqualTo(kid)
                .isNotEqualTo(SignedJWT.parse(before).getHeader().getKeyID());
        JWKSet served = JWKSet.parse(provider.fetch(provider.jwksUri()));
        assertThat(served.getKeyByKeyId(kid)).isNotNull();
        assertThat(served.getKeys()).allSatisfy(key -> assertThat(key.isPrivate()).isFalse());
        verify(before);
        verify(after);
    }

    @Test
    void aStoppedProviderRefusesConnectionsAndComesBackOnTheSamePortWithTheSameKeys() throws Exception {
        String token = provider.token("alice").issue();
        int port = provider.port();
        provider.stop();
        try {
            Throwable down = catchThrowable(() -> provider.fetch(provider.jwksUri()));
            assertThat(down).isInstanceOf(ConnectException.class);
        } finally {
            provider.start();
        }
        assertThat(provider.port()).isEqualTo(port);
        verify(token);
    }

    private static JWTClaimsSet verify(String token) throws Exception {
        JWKSet keys = JWKSet.parse(provider.fetch(provider.jwksUri()));
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(keys)));
        return processor.process(token, null);
    }
}
