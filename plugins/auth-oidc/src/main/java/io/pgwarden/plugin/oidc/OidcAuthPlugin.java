package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.SessionContext;
import java.util.List;
import java.util.Objects;

/**
 * The oidc plugin's interceptor: it provides the method {@code oidc} for the auth rules and, in
 * onAuth, marks set-role sessions for the {@link RoleChangeGuard} and sets the end of the session
 * at token expiry ({@link SessionExpiry}). Closing it releases what the
 * token validation holds (its key sources).
 *
 * <p>The core calls onQuery only on interceptors whose class overrides it, and then takes every
 * Query and Parse of every session out of the byte stream. So only {@link Guarded}, made when
 * {@code set_role} is configured, overrides onQuery: without set-role the plugin costs statements
 * nothing.
 */
sealed class OidcAuthPlugin implements Interceptor permits OidcAuthPlugin.Guarded {

    private final List<Authenticator> authenticators;
    private final AutoCloseable resources;
    private final System.Logger logger;
    /** Null without set_role. */
    private final RoleChangeGuard guard;
    private final SessionExpiry expiry;
    private final ConnectionLimits limits;

    /**
     * Creates the plugin without set-role, expiry or limits.
     *
     * @param authenticators the methods {@code oidc} and {@code oauth}
     * @param resources closed with the plugin
     * @param logger the plugin's logger
     */
    OidcAuthPlugin(List<Authenticator> authenticators, AutoCloseable resources, System.Logger logger) {
        this(authenticators, resources, logger, null, SessionExpiry.DISABLED, ConnectionLimits.NONE);
    }

    private OidcAuthPlugin(List<Authenticator> authenticators, AutoCloseable resources, System.Logger logger, RoleChangeGuard guard,
                           SessionExpiry expiry, ConnectionLimits limits) {
        this.authenticators = List.copyOf(authenticators);
        this.resources = Objects.requireNonNull(resources, "resources");
        this.logger = Objects.requireNonNull(logger, "logger");
        this.guard = guard;
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Creates the plugin.
     *
     * @param authenticators the methods {@code oidc} and {@code oauth}
     * @param resources closed with the plugin
     * @param logger the plugin's logger
     * @param guard the guard of set-role sessions, or null without {@code set_role}
     * @param expiry {@code session_expiry}
     * @param limits {@code limits}
     * @return a plugin that hooks onQuery only when there is a guard
     */
    static OidcAuthPlugin create(List<Authenticator> authenticators, AutoCloseable resources, System.Logger logger,
                                 RoleChangeGuard guard, SessionExpiry expiry, ConnectionLimits limits) {
        return guard == null ? new OidcAuthPlugin(authenticators, resources, logger, null, expiry, limits)
                : new Guarded(authenticators, resources, logger, guard, expiry, limits);
    }

    @Override
    public List<Authenticator> authenticators() {
        return authenticators;
    }

    @Override
    public Decision onAuth(AuthContext context) {
        Decision admitted = limits.acquire(context);
        if (admitted != Decision.proceed()) {
            return admitted;
        }
        if (guard != null) {
            Decision marked = guard.mark(context);
            if (marked != Decision.proceed()) {
                return marked;
            }
        }
        return expiry.apply(context);
    }

    @Override
    public void onSessionEnd(SessionContext context) {
        limits.release(context);
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
        return getClass().getSimpleName() + authenticators;
    }

    /** The plugin with set-role configured: it checks the statements of marked sessions. */
    static final class Guarded extends OidcAuthPlugin {

        private final RoleChangeGuard guard;

        Guarded(List<Authenticator> authenticators, AutoCloseable resources, System.Logger logger, RoleChangeGuard guard,
                SessionExpiry expiry, ConnectionLimits limits) {
            super(authenticators, resources, logger, Objects.requireNonNull(guard, "guard"), expiry, limits);
            this.guard = guard;
        }

        @Override
        public Decision onQuery(QueryContext context) {
            return guard.check(context);
        }
    }
}
