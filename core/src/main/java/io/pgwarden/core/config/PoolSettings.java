package io.pgwarden.core.config;

/**
 * The settings of one pool after the per-database and per-user overrides are applied.
 *
 * @param mode the pool mode
 * @param size the most server connections of the pool (reserve not counted)
 * @param minSize how many server connections the pool keeps open even when idle
 * @param reserveSize how many more the pool may open for a client that waited {@code reserveTimeout}
 * @param maxDatabaseConnections the cap over all pools of the database, 0 = none
 * @param maxUserConnections the cap over all pools of the user, 0 = none
 */
public record PoolSettings(PoolMode mode, int size, int minSize, int reserveSize, int maxDatabaseConnections,
                           int maxUserConnections) {
}
