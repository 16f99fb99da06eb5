package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenShapeTest {

    @Test
    void threeBase64UrlPartsLookLikeAJwtAndAnEmptySignatureToo() {
        assertThat(looks("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln-_")).isTrue();
        assertThat(looks("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")).isTrue();
    }

    @Test
    void passwordsThatAreNotThreeBase64UrlPartsDoNotLookLikeAJwt() {
        assertThat(looks("")).isFalse();
        assertThat(looks("s3cret")).isFalse();
        assertThat(looks("a.b")).isFalse();
        assertThat(looks("a.b.c.d")).isFalse();
        assertThat(looks(".b.c")).isFalse();
        assertThat(looks("a..c")).isFalse();
        assertThat(looks("a.b+c.d")).isFalse();
        assertThat(looks("a.b/.c")).isFalse();
        assertThat(looks("a.b.c=")).isFalse();
        assertThat(looks("a.b.c ")).isFalse();
        assertThat(looks("pässword.x.y")).isFalse();
    }

    @Test
    void issuerIsReadFromThePayloadWithoutCheckingAnything() {
        assertThat(TokenShape.unverifiedIssuer(TestTokens.jwt(Map.of("iss", "https://idp", "sub", "1")))).hasValue("https://idp");
    }

    @Test
    void unreadablePayloadsHaveNoIssuer() {
        assertThat(TokenShape.unverifiedIssuer("nodots")).isEmpty();
        assertThat(TokenShape.unverifiedIssuer("a.b")).isEmpty();
        assertThat(TokenShape.unverifiedIssuer("a.%%%.c")).isEmpty();
        assertThat(TokenShape.unverifiedIssuer("a.bm90IGpzb24.c")).isEmpty();
        assertThat(TokenShape.unverifiedIssuer(TestTokens.jwt(Map.of("iss", 42)))).isEmpty();
        assertThat(TokenShape.unverifiedIssuer(TestTokens.jwt(Map.of("sub", "1")))).isEmpty();
    }

    private static boolean looks(String password) {
        return TokenShape.looksLikeJwt(password.getBytes(StandardCharsets.UTF_8));
    }
}
