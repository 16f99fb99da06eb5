package io.pgwarden.core.config;

/**
 * Pool settings for one database ({@code pool.databases.NAME:}); a null field takes the global value.
 *
 * @param mode the pool mode, or null
 * @param size the pool size per (backend, database, login), or null
 * @param minSize the pre-warmed minimum, or null
 * @param reserveSize the reserve pool size, or null
 * @param maxConnections the cap on server connections to this database over all its pools
 *                       (PgBouncer's {@code max_db_connections}); 0 = no cap; null = the global value
 */
public record DatabasePoolConfig(PoolMode mode, Integer size, Integer minSize, Integer reserveSize, Integer maxConnections) {

    /** No overrides. */
    public static final DatabasePoolConfig NONE = new DatabasePoolConfig(null, null, null, null, null);
}
