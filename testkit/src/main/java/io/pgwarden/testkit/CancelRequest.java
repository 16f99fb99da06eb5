package io.pgwarden.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A CancelRequest as a client sends it on a new connection: Int32 length, Int32 {@value #CODE}, Int32 process id,
 * the secret key (four bytes in protocol 3.0, up to 256 in 3.2), taken from the BackendKeyData a server sent.
 *
 * @param processId the process id of the BackendKeyData
 * @param secretKey the secret key bytes of the BackendKeyData
 */
public record CancelRequest(int processId, byte[] secretKey) {

    /** The request code of a CancelRequest. */
    public static final int CODE = 80877102;

    /** Checks for null and copies the key. */
    public CancelRequest {
        secretKey = Objects.requireNonNull(secretKey, "secretKey").clone();
    }

    /** The cancel key of the BackendKeyData ({@code K}) among the messages a login returned. */
    public static CancelRequest fromLogin(List<RawMessage> login) {
        RawMessage keyData = login.stream().filter(message -> message.type() == 'K').findFirst()
                .orElseThrow(() -> new AssertionError("the login sent no BackendKeyData: " + login));
        byte[] body = keyData.body();
        return new CancelRequest(keyData.int32At(0), Arrays.copyOfRange(body, 4, body.length));
    }

    /** The secret key (a copy). */
    @Override
    public byte[] secretKey() {
        return secretKey.clone();
    }

    /** The request's bytes on the wire. */
    public byte[] bytes() {
        return ByteBuffer.allocate(12 + secretKey.length).putInt(12 + secretKey.length).putInt(CODE)
                .putInt(processId).put(secretKey).array();
    }

    /**
     * Sends the request on a new connection to {@code host:port} and waits until the receiver closes it, as
     * PostgreSQL does after reading a CancelRequest (it never answers one).
     *
     * @throws AssertionError when the connection stays open for {@code within}
     */
    public void sendTo(String host, int port, Duration within) throws IOException {
        try (RawPgClient client = RawPgClient.connect(host, port, within)) {
            client.send(bytes());
            if (!client.isClosedByPeer(within)) {
                throw new AssertionError("the cancel connection to " + host + ":" + port + " stayed open or was answered");
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CancelRequest that && processId == that.processId
                && Arrays.equals(secretKey, that.secretKey);
    }

    @Override
    public int hashCode() {
        return 31 * processId + Arrays.hashCode(secretKey);
    }

    @Override
    public String toString() {
        // The key is a secret of the session it cancels; it stays out of test logs.
        return "CancelRequest[processId=" + processId + ", secretKey=" + secretKey.length + " bytes]";
    }
}
