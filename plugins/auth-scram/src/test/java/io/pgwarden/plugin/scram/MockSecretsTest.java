package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.scram.ScramSha256;
import io.pgwarden.scram.ScramVerifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MockSecretsTest {

    private final byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final MockSecrets mocks = new MockSecrets(key, 4096);

    @Test
    void saltIsTheFirst16BytesOfTheHmacOfTheUserName() {
        byte[] expected = Arrays.copyOf(ScramSha256.hmac(key, "mallory".getBytes(StandardCharsets.UTF_8)), 16);
        assertThat(mocks.salt("mallory")).isEqualTo(expected);
    }

    @Test
    void sameUserGetsTheSameSaltAndAnotherUserAnother() {
        assertThat(mocks.verifier("mallory").salt()).isEqualTo(mocks.verifier("mallory").salt());
        assertThat(mocks.salt("trudy")).isNotEqualTo(mocks.salt("mallory"));
        assertThat(new MockSecrets(new byte[32], 4096).salt("mallory")).isNotEqualTo(mocks.salt("mallory"));
    }

    @Test
    void verifierHasTheConfiguredIterationsAndMatchesNoPassword() {
        ScramVerifier verifier = new MockSecrets(key, 16).verifier("mallory");
        assertThat(verifier.iterations()).isEqualTo(16);
        assertThat(verifier.matchesPassword("")).isFalse();
        assertThat(verifier.matchesPassword("mallory")).isFalse();
    }

    @Test
    void processMockSecretsAreStableAcrossInstances() {
        assertThat(MockSecrets.forProcess(4096).salt("mallory")).isEqualTo(MockSecrets.forProcess(4096).salt("mallory"));
    }
}
