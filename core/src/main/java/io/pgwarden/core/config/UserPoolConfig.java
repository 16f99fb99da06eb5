package io.pgwarden.core.config;

/**
 * Pool settings for one database user ({@code pool.users.NAME:}); a null field takes the database's or
 * the global value. The user is the database user of the backend login, not the client's name.
 *
 * @param mode the pool mode (wins over the database's), or null
 * @param maxConnections the cap on server connections as this user over all its pools (PgBouncer's
 *                       {@code max_user_connections}); 0 = no cap; null = the global value
 */
public record UserPoolConfig(PoolMode mode, Integer maxConnections) {

    /** No overrides. */
    public static final UserPoolConfig NONE = new UserPoolConfig(null, null);
}
