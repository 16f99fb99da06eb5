package io.pgwarden.plugin.scram;

import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Interceptor;
import java.util.List;
import java.util.Objects;

/**
 * The scram plugin's interceptor: it hooks nothing and provides the methods {@code scram-sha-256},
 * {@code md5} and {@code password} for the auth rules. Closing it closes the credential sources.
 */
final class ScramAuthPlugin implements Interceptor {

    private final CredentialSource credentials;
    private final List<Authenticator> authenticators;

    /**
     * Creates the plugin.
     *
     * @param settings the plugin's settings
     * @param resources what the methods share; its credential sources are closed with the plugin
     */
    ScramAuthPlugin(ScramAuthSettings settings, AuthResources resources) {
        Objects.requireNonNull(settings, "settings");
        this.credentials = resources.credentials();
        this.authenticators = List.of(
                ScramAuthenticator.scram(resources),
                ScramAuthenticator.md5(settings.md5(), settings.md5Path(), resources),
                new PasswordAuthenticator(resources));
    }

    @Override
    public List<Authenticator> authenticators() {
        return authenticators;
    }

    @Override
    public void close() {
        credentials.close();
    }

    @Override
    public String toString() {
        return "ScramAuthPlugin" + authenticators;
    }
}
