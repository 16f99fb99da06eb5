package io.pgwarden.core.session;

import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The BackendKeyData the proxy gives a client: a process id that indexes the session and a
 * random secret. The client never sees a server's real key, so a cancel can only reach a server
 * through the proxy, and only the session's own client can send it.
 *
 * @param processId the id sent as BackendKeyData's process id
 * @param secret the 4-byte secret (protocol 3.0)
 */
record CancelKey(int processId, byte[] secret) {

    private static final SecureRandom RANDOM = new SecureRandom();

    static CancelKey random(int processId) {
        byte[] secret = new byte[4];
        RANDOM.nextBytes(secret);
        return new CancelKey(processId, secret);
    }

    /** Compares secrets in constant time, so a timing attack cannot guess them byte by byte. */
    boolean matches(byte[] candidate) {
        return MessageDigest.isEqual(secret, candidate);
    }
}
