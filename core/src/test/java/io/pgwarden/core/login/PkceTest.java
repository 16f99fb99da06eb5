package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import org.junit.jupiter.api.Test;

/** The PKCE pieces the browser sign-in sends, checked against RFC 7636's own example. */
class PkceTest {

    @Test
    void theS256ChallengeIsRfc7636AppendixB() {
        CodeVerifier verifier = new CodeVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assertThat(CodeChallenge.compute(CodeChallengeMethod.S256, verifier).getValue())
                .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    @Test
    void aNewVerifierHasTheLengthAndCharactersRfc7636Asks() {
        String first = new CodeVerifier().getValue();
        assertThat(first).hasSizeBetween(43, 128).matches("[A-Za-z0-9\\-._~]+");
        assertThat(new CodeVerifier().getValue()).isNotEqualTo(first);
    }
}
