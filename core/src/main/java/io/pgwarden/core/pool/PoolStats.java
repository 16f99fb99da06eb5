package io.pgwarden.core.pool;

/**
 * A snapshot of one pool, for the admin interface and tests.
 *
 * @param backend the backend name
 * @param database the database
 * @param user the database user
 * @param role the {@code role} the servers start with, or null
 * @param mode {@code session} or {@code transaction}
 * @param active servers lent to sessions
 * @param idle servers in the pool
 * @param opening connections being made
 * @param waiting sessions waiting for a server
 * @param pinned sessions pinned to their server since the start
 */
public record PoolStats(String backend, String database, String user, String role, String mode, int active, int idle, int opening,
                        int waiting, long pinned) {
}
