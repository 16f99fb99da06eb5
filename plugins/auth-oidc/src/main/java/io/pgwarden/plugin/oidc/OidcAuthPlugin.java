package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Interceptor;
import java.util.List;
import java.util.Objects;

/**
 * The oidc plugin's interceptor: it hooks nothing and provides the method {@code oidc} for the auth
 * rules. Closing it releases what the token validation holds (its key sources).
 */
final class OidcAuthPlugin implements Interceptor {

    private final List<Authenticator> authenticators;
    private final AutoCloseable resources;
    private final System.Logger logger;

    /**
     * Creates the plugin.
     *
     * @param authenticator the method {@code oidc}
     * @param resources closed with the plugin
     * @param logger the plugin's logger
     */
    OidcAuthPlugin(OidcAuthenticator authenticator, AutoCloseable resources, System.Logger logger) {
        this.authenticators = List.of(Objects.requireNonNull(authenticator, "authenticator"));
        this.resources = Objects.requireNonNull(resources, "resources");
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    @Override
    public List<Authenticator> authenticators() {
        return authenticators;
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            // A reload or a shutdown goes on: nothing else depends on these resources.
            logger.log(System.Logger.Level.WARNING, "closing the oidc plugin's resources failed: " + e);
        }
    }

    @Override
    public String toString() {
        return "OidcAuthPlugin" + authenticators;
    }
}
