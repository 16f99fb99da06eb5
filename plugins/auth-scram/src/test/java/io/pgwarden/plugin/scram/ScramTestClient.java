package io.pgwarden.plugin.scram;

import io.pgwarden.scram.SaslPrep;
import io.pgwarden.scram.ScramSha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The client side of SCRAM-SHA-256, computed with {@link ScramSha256} the way libpq does, so that
 * tests can build real proofs (or deliberately wrong ones).
 */
final class ScramTestClient {

    private final String password;
    private final String gs2Header;
    private final byte[] channelBindingData;
    private final String clientNonce;
    private String clientFirstBare;
    private String authMessage;
    private byte[] serverKey;
    private byte[] clientKey;

    /**
     * A client.
     *
     * @param password the password it proves
     * @param gs2Header {@code n,,}, {@code y,,} or {@code p=tls-server-end-point,,}
     * @param channelBindingData the data it binds (what it sees as the server's certificate hash), or {@code null}
     * @param clientNonce its nonce
     */
    ScramTestClient(String password, String gs2Header, byte[] channelBindingData, String clientNonce) {
        this.password = password;
        this.gs2Header = gs2Header;
        this.channelBindingData = channelBindingData;
        this.clientNonce = clientNonce;
    }

    static ScramTestClient plain(String password) {
        return new ScramTestClient(password, "n,,", null, "fyko+d2lbbFgONRv9qkxdawL");
    }

    static ScramTestClient bound(String password, byte[] channelBindingData) {
        return new ScramTestClient(password, "p=tls-server-end-point,,", channelBindingData, "fyko+d2lbbFgONRv9qkxdawL");
    }

    byte[] clientFirst() {
        clientFirstBare = "n=,r=" + clientNonce;
        return (gs2Header + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    byte[] clientFinal(byte[] serverFirstBytes) {
        String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
        Map<Character, String> attributes = new HashMap<>();
        for (String part : serverFirst.split(",")) {
            attributes.put(part.charAt(0), part.substring(2));
        }
        String nonce = attributes.get('r');
        if (!nonce.startsWith(clientNonce)) {
            throw new AssertionError("server nonce does not start with the client's");
        }
        byte[] salt = Base64.getDecoder().decode(attributes.get('s'));
        int iterations = Integer.parseInt(attributes.get('i'));
        byte[] salted = ScramSha256.hi(SaslPrep.prepare(password).getBytes(StandardCharsets.UTF_8), salt, iterations);
        clientKey = ScramSha256.clientKey(salted);
        serverKey = ScramSha256.serverKey(salted);
        byte[] header = gs2Header.getBytes(StandardCharsets.US_ASCII);
        byte[] binding = header;
        if (channelBindingData != null) {
            binding = new byte[header.length + channelBindingData.length];
            System.arraycopy(header, 0, binding, 0, header.length);
            System.arraycopy(channelBindingData, 0, binding, header.length, channelBindingData.length);
        }
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(binding) + ",r=" + nonce;
        authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientSignature = ScramSha256.hmac(ScramSha256.sha256(clientKey), authMessage);
        byte[] proof = ScramSha256.xor(clientKey, clientSignature);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Checks the server-final message as a client must: the server knew the verifier. */
    boolean serverFinalValid(byte[] serverFinal) {
        byte[] expected = ("v=" + Base64.getEncoder().encodeToString(ScramSha256.hmac(serverKey, authMessage)))
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, serverFinal);
    }

    byte[] clientKey() {
        return clientKey.clone();
    }
}
