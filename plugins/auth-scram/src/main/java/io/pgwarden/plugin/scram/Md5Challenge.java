package io.pgwarden.plugin.scram;

import io.pgwarden.plugin.scram.AuthMetrics.Reason;
import io.pgwarden.scram.Md5Password;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;

/**
 * The md5 challenge: a random 4-byte salt, and the client's answer compared in constant time with
 * {@code "md5" + md5hex(hash + salt)} computed from the stored hash. Used by the {@code md5} method
 * when the plugin enables md5 and the user has an md5 hash or a plaintext password.
 */
final class Md5Challenge {

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Runs the challenge.
     *
     * @param exchange the exchange
     * @param attempt the attempt
     * @param storedHash the user's md5 hash (stored, or computed from the plaintext entry)
     * @param secret the stored secret, for the backend credential
     * @return the outcome
     */
    CompletionStage<AuthOutcome> run(AuthExchange exchange, AuthAttempt attempt, String storedHash, StoredSecret secret) {
        byte[] salt = new byte[4];
        RANDOM.nextBytes(salt);
        return exchange.md5Password(salt).thenCompose(answer -> {
            byte[] expected = Md5Password.answerFromHash(storedHash, salt).getBytes(StandardCharsets.US_ASCII);
            boolean matches = MessageDigest.isEqual(expected, answer);
            Arrays.fill(answer, (byte) 0);
            return matches
                    ? attempt.succeed(BackendCredential.afterMd5(secret), () -> { })
                    : attempt.fail(Reason.WRONG_PASSWORD, "wrong password (the md5 answer does not match)");
        });
    }
}
