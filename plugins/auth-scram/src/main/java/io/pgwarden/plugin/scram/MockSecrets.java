package io.pgwarden.plugin.scram;

import io.pgwarden.scram.ScramSha256;
import io.pgwarden.scram.ScramVerifier;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Verifiers for users that have none, so that their SCRAM exchange looks like anyone else's: the
 * salt is the first 16 bytes of HMAC-SHA-256(a per-process random key, the user name), the same for
 * the same user each time (as PostgreSQL's {@code mock_scram_secret} does), and the keys are random,
 * so no proof matches.
 */
final class MockSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    // One key per process, not per plugin instance: a configuration reload must not change the
    // salts an observer has already seen for unknown users.
    private static final byte[] PROCESS_KEY = randomBytes(32);

    private final byte[] key;
    private final int iterations;

    /**
     * Creates mock secrets.
     *
     * @param key the HMAC key the salts derive from
     * @param iterations the iteration count real verifiers derived by the plugin use
     */
    MockSecrets(byte[] key, int iterations) {
        this.key = Objects.requireNonNull(key, "key").clone();
        this.iterations = iterations;
    }

    /**
     * Mock secrets keyed by this process's random key.
     *
     * @param iterations the configured iteration count
     * @return the mock secrets
     */
    static MockSecrets forProcess(int iterations) {
        return new MockSecrets(PROCESS_KEY, iterations);
    }

    /**
     * The mock salt of a user.
     *
     * @param user the user name
     * @return 16 bytes, the same for the same user
     */
    byte[] salt(String user) {
        byte[] mac = ScramSha256.hmac(key, user.getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(mac, ScramVerifier.SALT_LENGTH);
    }

    /**
     * A verifier no proof and no password matches (random keys), with the user's mock salt.
     *
     * @param user the user name
     * @return the verifier
     */
    ScramVerifier verifier(String user) {
        return new ScramVerifier(iterations, salt(user), randomBytes(ScramSha256.KEY_LENGTH), randomBytes(ScramSha256.KEY_LENGTH));
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
