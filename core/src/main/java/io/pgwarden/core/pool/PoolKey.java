package io.pgwarden.core.pool;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two server connections interchangeable: the backend, the database, the user, the
 * {@code role} startup parameter and how the proxy logs in as that user. The credential enters the
 * key only as a digest, so a key can be logged and kept without holding a secret twice.
 *
 * <p>The role is part of the key because it is part of the servers' startup packet: PostgreSQL's
 * {@code RESET ROLE} (and {@code RESET ALL}, {@code DISCARD ALL}) return to it, so servers started
 * for different roles are never interchangeable. Every other login parameter is applied on each
 * attach and stays out of the key.
 *
 * @param backend the backend name
 * @param database the database
 * @param user the database user
 * @param role the {@code role} startup parameter of the login, or null for none
 * @param credential a digest of the credential ({@code none} for none)
 * @param relayed true when the client's own password was relayed to the server (passthrough): the
 *                pool cannot open connections by itself and grows only with logins
 */
public record PoolKey(String backend, String database, String user, String role, String credential, boolean relayed) {

    /** The login parameter that is sent in the startup packet of the pool's servers and splits pools. */
    public static final String ROLE = "role";

    /**
     * The key of a backend login.
     *
     * @param login the login
     * @param relayed whether the client's password was relayed (passthrough)
     * @return the key
     */
    public static PoolKey of(BackendLogin login, boolean relayed) {
        return new PoolKey(login.backend(), login.database(), login.user(), login.parameters().get(ROLE), digest(login.credential()),
                relayed);
    }

    private static String digest(Credential credential) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (credential instanceof Credential.Password password) {
            sha.update((byte) 'p');
            sha.update(password.password().getBytes(StandardCharsets.UTF_8));
        } else if (credential instanceof Credential.ScramKeys keys) {
            sha.update((byte) 's');
            sha.update(keys.clientKey());
            sha.update(keys.serverKey());
        } else if (credential instanceof Credential.Md5Hash md5) {
            sha.update((byte) 'm');
            sha.update(md5.hash().getBytes(StandardCharsets.US_ASCII));
        } else if (credential instanceof Credential.ClientCertificate certificate) {
            sha.update((byte) 'c');
            sha.update(certificate.certificatePem().getBytes(StandardCharsets.UTF_8));
            sha.update(certificate.privateKeyPem().getBytes(StandardCharsets.UTF_8));
        } else {
            return "none";
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    @Override
    public String toString() {
        return backend + "/" + database + "/" + user + (role == null ? "" : " role=" + role) + (relayed ? " (passthrough)" : "");
    }
}
