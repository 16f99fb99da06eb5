package io.pgwarden.plugin.scram;

import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.util.Objects;

/**
 * Chooses how the proxy logs into the backend for a client the plugin accepted: as the client's own
 * user with the strongest thing the proxy now knows (the password, the SCRAM keys recovered from the
 * proof, or the stored md5 hash), unless the auth rule names a fixed login.
 */
final class BackendCredential {

    private BackendCredential() {
    }

    /**
     * The login for an accepted client.
     *
     * @param exchange the exchange
     * @param credential what the proxy knows of the client's user
     * @return the login, or {@code null} to keep the rule's fixed login
     */
    static BackendLogin login(AuthExchange exchange, Credential credential) {
        Objects.requireNonNull(credential, "credential");
        if (hasFixedLogin(exchange)) {
            return null;
        }
        return exchange.defaultLogin().withUser(exchange.user(), credential);
    }

    /**
     * Tells whether the rule names its own login (a user other than the client's, or a credential):
     * then the plugin leaves it alone.
     *
     * @param exchange the exchange
     * @return true for a fixed login
     */
    static boolean hasFixedLogin(AuthExchange exchange) {
        BackendLogin login = exchange.defaultLogin();
        return !(login.credential() instanceof Credential.None) || !login.user().equals(exchange.user());
    }

    /**
     * What a SCRAM proof leaves the proxy knowing.
     *
     * @param secret the stored secret the proof matched
     * @param clientKey the ClientKey recovered from the proof
     * @return the password for a plaintext entry, else the SCRAM keys
     */
    static Credential afterScram(StoredSecret secret, byte[] clientKey) {
        if (secret instanceof StoredSecret.Plain plain) {
            return Credential.password(plain.password());
        }
        if (secret instanceof StoredSecret.Scram scram) {
            return new Credential.ScramKeys(clientKey, scram.verifier().serverKey());
        }
        return Credential.none();
    }

    /**
     * What an md5 answer leaves the proxy knowing.
     *
     * @param secret the stored secret the answer matched
     * @return the password for a plaintext entry, else the md5 hash
     */
    static Credential afterMd5(StoredSecret secret) {
        if (secret instanceof StoredSecret.Plain plain) {
            return Credential.password(plain.password());
        }
        if (secret instanceof StoredSecret.Md5 md5) {
            return new Credential.Md5Hash(md5.hash());
        }
        return Credential.none();
    }
}
